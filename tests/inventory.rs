//! `warden inventory` and `warden assess` on the multi-service AI fixture (tests/fixtures/ai-platform, its
//! oracle in expected-inventory.md): every asset and edge the oracle lists, the risk reasons, the CycloneDX 1.6
//! AI-BOM against the official schema, the text report as a snapshot, and the self-assessment's evidence.

mod common;
use common::*;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// The fixture in a temporary directory, with the pickled classifier the test writes itself (a scikit-learn
/// shaped pickle: a GLOBAL and a REDUCE-free build, never loaded by anything).
fn platform() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/ai-platform"
        )),
        dir.path(),
    );
    write(
        dir.path(),
        "models/churn-classifier.pkl",
        b"\x80\x02csklearn.linear_model._logistic\nLogisticRegression\nq\x00)\x81q\x01}q\x02b."
            .as_slice(),
    );
    dir
}

fn inventory(dir: &Path, format: &str) -> Vec<u8> {
    let out = warden()
        .args(["inventory", ".", "--format", format])
        .current_dir(dir)
        .assert()
        .code(0);
    out.get_output().stdout.clone()
}

fn asset<'a>(doc: &'a serde_json::Value, kind: &str, name_has: &str) -> &'a serde_json::Value {
    doc["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind && a["name"].as_str().unwrap().contains(name_has))
        .unwrap_or_else(|| {
            let names: Vec<String> = doc["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| format!("{} {}", a["kind"], a["name"]))
                .collect();
            panic!("no {kind} named like {name_has:?} among {names:#?}")
        })
}

fn edge(
    doc: &serde_json::Value,
    from: &serde_json::Value,
    to: &serde_json::Value,
    kind: &str,
) -> bool {
    doc["edges"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["from"] == from["id"] && e["to"] == to["id"] && e["kind"] == kind)
}

fn reasons(a: &serde_json::Value) -> String {
    a["risk"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_inventory_finds_every_asset_and_edge_of_the_oracle() {
    let dir = platform();
    let doc = json(&inventory(dir.path(), "json"));
    assert_eq!(doc["inventory_version"], "1");

    // The public chat service: OpenAI, key from the environment filled by a Secret, request data in the
    // prompt, public through a LoadBalancer.
    let chat = asset(&doc, "llm-client", "OpenAI");
    assert_eq!(chat["location"]["path"], "services/chat/app.py");
    assert_eq!(
        chat["properties"]["models"],
        serde_json::json!(["gpt-4o-mini"])
    );
    assert_eq!(chat["properties"]["key"]["from"], "env");
    assert_eq!(
        chat["properties"]["key_provided_by"][0]["from"],
        "secret:openai"
    );
    let chat_wl = asset(&doc, "workload", "Deployment support/chat");
    assert!(edge(&doc, chat_wl, chat, "runs"));
    let r = reasons(chat);
    assert!(
        r.contains("publicly exposed") && r.contains("HTTP request data"),
        "{r}"
    );

    // The RAG pipeline: embeddings client, an unpinned hub model, a Pinecone index holding PII, fed from the
    // customers table.
    let emb = asset(&doc, "llm-client", "OpenAIEmbeddings");
    assert_eq!(
        emb["properties"]["models"],
        serde_json::json!(["text-embedding-3-small"])
    );
    let minilm = asset(&doc, "model", "sentence-transformers/all-MiniLM-L6-v2");
    assert_eq!(minilm["properties"]["pin"]["pinned"], false);
    let store = asset(&doc, "vector-store", "Pinecone index customer-support");
    assert_eq!(
        store["properties"]["sensitive_fields"],
        serde_json::json!(["email", "phone"])
    );
    let customers = asset(&doc, "dataset", "table customers");
    assert_eq!(customers["properties"]["sensitive"], true);
    for f in ["full_name", "email", "phone", "support_notes"] {
        assert!(
            customers["properties"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == f),
            "{f}"
        );
    }
    assert!(edge(&doc, store, customers, "reads"));
    assert!(edge(&doc, emb, store, "reads"));

    // The agent: a hard-coded Anthropic key (the secrets finding, by fingerprint), a shell tool and an SQL
    // toolkit over the operations database, fed by ticket text, running privileged as cluster-admin.
    let claude = asset(&doc, "llm-client", "Anthropic");
    assert_eq!(
        claude["properties"]["models"],
        serde_json::json!(["claude-3-5-sonnet-20241022"])
    );
    assert_eq!(claude["properties"]["key"]["from"], "hard-coded");
    let key = asset(&doc, "credential", "Anthropic");
    assert!(key["id"].as_str().unwrap().starts_with("secret:"));
    assert!(
        !key.to_string().contains("sk-ant-api03"),
        "never the secret"
    );
    assert!(edge(&doc, claude, key, "authenticates-with"));
    let agent = asset(&doc, "agent", "LangChain");
    let shell = asset(&doc, "tool", "ShellTool");
    let sql = asset(&doc, "tool", "SQLDatabaseToolkit");
    let ops = asset(&doc, "dataset", "database operations at db.internal");
    assert!(
        edge(&doc, agent, shell, "uses")
            && edge(&doc, agent, sql, "uses")
            && edge(&doc, agent, claude, "uses")
    );
    assert!(edge(&doc, sql, ops, "reads"));
    assert_eq!(agent["risk"]["level"], "critical");
    let r = reasons(agent);
    assert!(
        r.contains("run shell commands")
            && r.contains("ticket_body")
            && r.contains("cluster-admin")
            && r.contains("privileged"),
        "{r}"
    );
    assert!(agent["risk"]["owasp"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "LLM06:2025"));

    // The classifier: the pickle (code on load) and an unpinned hub model.
    let pkl = asset(&doc, "model", "models/churn-classifier.pkl");
    assert_eq!(pkl["properties"]["format"], "pickle");
    assert!(reasons(pkl).contains("loading it runs code"));
    let occurrences = pkl["properties"]["occurrences"].to_string();
    assert!(
        occurrences.contains("services/classifier/serve.py"),
        "the code that loads it: {occurrences}"
    );
    let senti = asset(&doc, "model", "cardiffnlp/twitter-roberta-base-sentiment");
    assert_eq!(senti["properties"]["pin"]["pinned"], false);

    // The Modelfile, the MCP servers, the vLLM server and the SageMaker endpoint.
    let llama = asset(&doc, "model", "llama3.1:8b");
    assert_eq!(llama["properties"]["pin"]["how"], "mutable-ref");
    let fs = asset(&doc, "mcp-server", "filesystem");
    assert_eq!(fs["properties"]["pin"]["pinned"], false);
    assert_eq!(
        fs["properties"]["collections"],
        serde_json::json!(["/srv/shared"])
    );
    let pg = asset(&doc, "mcp-server", "postgres");
    assert!(
        edge(&doc, pg, ops, "reads"),
        "the MCP server reaches the agent's database"
    );
    let vllm = asset(&doc, "workload", "llm-inference");
    assert_eq!(vllm["properties"]["gpu"], true);
    assert_eq!(vllm["properties"]["limits"], false);
    assert_eq!(vllm["properties"]["public"], false);
    let served = asset(&doc, "model", "meta-llama/Llama-3.1-8B-Instruct");
    assert!(edge(&doc, vllm, served, "runs"));
    let sm = asset(&doc, "workload", "SageMaker endpoint churn");
    assert!(reasons(sm).contains("AmazonSageMakerFullAccess"));

    // AI dependencies, pinned.
    let deps: Vec<String> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap().to_string())
        .collect();
    for p in [
        "pkg:pypi/openai@1.51.0",
        "pkg:pypi/pinecone@5.3.1",
        "pkg:pypi/sentence-transformers@3.1.1",
        "pkg:pypi/langchain-community@0.3.2",
    ] {
        assert!(deps.contains(&p.to_string()), "{p} in {deps:?}");
    }
    let transformers = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "transformers")
        .expect("transformers, imported by the classifier and declared nowhere");
    assert_eq!(transformers["undeclared"], true);
    assert_eq!(
        transformers["location"]["path"],
        "services/classifier/serve.py"
    );
    assert!(
        !deps.iter().any(|d| d.contains("fastapi")),
        "only AI packages: {deps:?}"
    );
}

#[test]
fn the_stories_are_findings_in_scan_and_the_secret_finding_names_its_client() {
    let dir = platform();
    let out = warden()
        .args(["scan", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert();
    let doc = json(&out.get_output().stdout);
    let ids = rule_ids(&doc);
    for r in [
        "ai/public-llm-app",
        "ai/agent-tool-in-powerful-workload",
        "ai/pii-in-vector-store",
        "ai/mcp-server-unpinned",
        "ai/served-model-unpinned",
        "ai/ai-service-broad-role",
    ] {
        assert!(ids.iter().any(|i| i == r), "{r} in {ids:?}");
    }
    // The scan report with the AI inventory in it still matches the report's schema.
    let errors = schema_errors(
        include_str!("../docs/schemas/report-v2.schema.json"),
        &doc,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let key = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "secrets/anthropic-api-key")
        .unwrap();
    let context = key["related"].to_string();
    assert!(
        context.contains("used by Anthropic") && context.contains("ticket-agent"),
        "{context}"
    );
    assert!(key["assets"]
        .to_string()
        .contains("ai:llm-client:services/agent/agent.py"));
}

#[test]
fn the_inventory_text_report() {
    let dir = platform();
    let text = String::from_utf8(inventory(dir.path(), "text")).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn the_ai_bom_validates_against_cyclonedx_1_6() {
    let dir = platform();
    let doc = json(&inventory(dir.path(), "cyclonedx"));
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let comps = doc["components"].as_array().unwrap();
    let of_type = |t: &str| comps.iter().filter(|c| c["type"] == t).count();
    assert!(of_type("machine-learning-model") >= 6, "{doc:#}");
    assert!(of_type("data") >= 3);
    let minilm = comps
        .iter()
        .find(|c| c["name"] == "sentence-transformers/all-MiniLM-L6-v2")
        .unwrap();
    assert_eq!(minilm["type"], "machine-learning-model");
    assert_eq!(
        minilm["evidence"]["occurrences"][0]["location"],
        "services/rag/pipeline.py"
    );
    assert_eq!(minilm["evidence"]["occurrences"][0]["line"], 11);
}

#[test]
fn assess_answers_from_evidence_and_from_warden_toml() {
    let dir = platform();
    let out = warden()
        .args(["assess", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let doc = json(&out.get_output().stdout);
    let q = |id: u64| {
        doc["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(doc["questions"].as_array().unwrap().len(), 10);
    assert_eq!(q(1)["answer"], "yes");
    assert_eq!(q(2)["answer"], "no", "{:#}", q(2));
    assert!(q(2)["evidence"].to_string().contains("ShellTool"));
    assert_eq!(q(3)["answer"], "no");
    assert_eq!(
        q(5)["answer"],
        "no",
        "the classifier runs nowhere the manifests show: {:#}",
        q(5)
    );
    assert_eq!(
        q(6)["answer"],
        "no",
        "SageMaker without data capture: {:#}",
        q(6)
    );
    assert_eq!(q(7)["answer"], "no");
    assert_eq!(q(9)["answer"], "no");
    assert!(q(9)["evidence"].to_string().contains("hard-coded"));
    assert_eq!(q(10)["answer"], "unknown");
    assert!(q(10)["fix"].is_string());
    assert_eq!(doc["level"], "high");
    let score = doc["score"].as_u64().unwrap();
    assert_eq!(
        score,
        10 * doc["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["answer"] != "yes")
            .count() as u64
    );

    // Answers from warden.toml fill what the repository cannot show, but never overturn evidence of a "no".
    write(
        dir.path(),
        "warden.toml",
        "[ai.assess]\nincident_response = true\nruntime_monitoring = true\nkey_management = true\n",
    );
    let out = warden()
        .args(["assess", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let doc = json(&out.get_output().stdout);
    let q = |id: u64| {
        doc["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (q(10)["answer"].clone(), q(10)["source"].clone()),
        ("yes".into(), "warden.toml".into())
    );
    assert_eq!(q(9)["answer"], "no");
    assert!(q(9)["evidence"]
        .to_string()
        .contains("overridden by the evidence"));

    let text = warden()
        .args(["assess", "."])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let text = String::from_utf8(text.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains(" 9. Are API keys securely managed and rotated? NO"),
        "{text}"
    );
    assert!(text.contains("Score: "));
}

#[test]
fn an_unknown_assess_key_is_a_config_error_naming_the_file() {
    let dir = platform();
    write(
        dir.path(),
        "warden.toml",
        "[ai.assess]\nincident_plan = true\n",
    );
    let out = warden()
        .args(["assess", "."])
        .current_dir(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("warden.toml") && err.contains("incident_plan"),
        "{err}"
    );
}

#[test]
fn without_manifests_the_inventory_says_what_it_could_not_see() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from openai import OpenAI\nclient = OpenAI()\n",
    );
    let text = String::from_utf8(inventory(dir.path(), "text")).unwrap();
    assert!(
        text.contains("llm-client") && text.contains("OpenAI"),
        "{text}"
    );
    assert!(text.contains("no Kubernetes workloads"), "{text}");
    let out = warden()
        .args(["inventory", ".", "--skip", "secrets", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let doc = json(&out.get_output().stdout);
    assert!(doc["not_seen"].to_string().contains("secrets analyzer off"));
}

#[test]
fn scan_writes_the_inventory_as_cyclonedx_1_6() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/ai-platform"
        )),
        dir.path(),
    );
    let out = warden()
        .args(["scan", ".", "--only", "k8s", "--format", "cyclonedx"])
        .current_dir(dir.path())
        .assert();
    let doc = json(&out.get_output().stdout);
    let errors = cyclonedx_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    let comps = doc["components"].as_array().unwrap();
    let names: Vec<&str> = comps.iter().filter_map(|c| c["name"].as_str()).collect();
    // The public chat service's workload is in the inventory, with the manifest as its evidence.
    let chat = comps
        .iter()
        .find(|c| {
            c["type"] == "container" && c["name"].as_str().is_some_and(|n| n.contains("chat"))
        })
        .unwrap_or_else(|| panic!("no chat workload among {names:?}"));
    assert_eq!(
        chat["evidence"]["occurrences"][0]["location"],
        "deploy/k8s/chat.yaml"
    );
}

#[test]
fn an_mcp_server_in_code_lists_its_tools_and_deployments_map_unmatched_names() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tools-server/server.py",
        "import subprocess\nfrom mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP(\"ops-tools\")\n\n\
         @mcp.tool()\ndef restart(service: str) -> str:\n    return subprocess.run([\"systemctl\", \"restart\", service]).stdout\n\n\
         @mcp.tool()\ndef weather(city: str) -> str:\n    return city\n",
    );
    write(dir.path(), "tools-server/requirements.txt", "mcp==1.2.0\n");
    write(
        dir.path(),
        "deploy/ops.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mcp-gateway, namespace: ops}\nspec:\n  selector: {matchLabels: {app: g}}\n  template:\n    metadata: {labels: {app: g}}\n    spec:\n      containers:\n        - name: main\n          image: registry.example/ops/gateway:1.0.0\n",
    );
    let doc = json(&inventory(dir.path(), "json"));
    let server = asset(&doc, "mcp-server", "ops-tools");
    let restart = asset(&doc, "tool", "restart");
    let weather = asset(&doc, "tool", "weather");
    assert!(edge(&doc, server, restart, "uses") && edge(&doc, server, weather, "uses"));
    assert_eq!(
        restart["properties"]["capabilities"],
        serde_json::json!(["shell"])
    );
    assert!(
        reasons(server).contains("run shell commands through restart"),
        "{}",
        reasons(server)
    );
    assert!(
        server["properties"]["deployed_as"].is_null(),
        "no workload is named tools-server"
    );

    write(
        dir.path(),
        "warden.toml",
        "[ai.deployments]\n\"tools-server\" = [\"mcp-gateway\"]\n",
    );
    let doc = json(&inventory(dir.path(), "json"));
    let server = asset(&doc, "mcp-server", "ops-tools");
    assert_eq!(
        server["properties"]["deployed_as"][0]["workload"],
        "k8s:workload:Deployment/ops/mcp-gateway"
    );
    assert!(server["properties"]["deployed_as"][0]["matched_by"]
        .as_str()
        .unwrap()
        .contains("[ai] deployments"));
}

#[test]
fn compose_services_run_code_by_build_context_and_serve_models() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  api:\n    build: ./app\n    ports: [\"8080:8080\"]\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY}\n  llm:\n    image: vllm/vllm-openai:v0.6.3\n    command: [\"--model\", \"Qwen/Qwen2.5-7B-Instruct\"]\n    ports: [\"127.0.0.1:8000:8000\"]\n    deploy:\n      resources:\n        reservations:\n          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]\n",
    );
    write(
        dir.path(),
        "app/main.py",
        "from flask import Flask, request\nfrom openai import OpenAI\napp = Flask(__name__)\nclient = OpenAI(base_url=\"http://llm:8000/v1\")\n\n@app.route(\"/ask\", methods=[\"POST\"])\ndef ask():\n    q = request.json[\"q\"]\n    return client.chat.completions.create(model=\"Qwen/Qwen2.5-7B-Instruct\", messages=[{\"role\": \"user\", \"content\": q}])\n",
    );
    let doc = json(&inventory(dir.path(), "json"));
    let client = asset(&doc, "llm-client", "OpenAI");
    let api = asset(&doc, "workload", "compose service api");
    let llm = asset(&doc, "workload", "compose service llm");
    assert!(
        edge(&doc, api, client, "runs"),
        "linked by the build context"
    );
    assert_eq!(
        client["properties"]["deployed_as"][0]["matched_by"],
        "build context app"
    );
    assert!(
        edge(&doc, client, llm, "uses"),
        "base_url names the llm service"
    );
    assert_eq!(client["properties"]["inputs"][0]["source"], "http-request");
    assert_eq!(
        api["properties"]["published_ports"],
        serde_json::json!(["8080:8080"])
    );
    assert_eq!(llm["properties"]["published_ports"], serde_json::json!([]));
    assert_eq!(llm["properties"]["gpu"], true);
    let served = asset(&doc, "model", "Qwen/Qwen2.5-7B-Instruct");
    assert!(edge(&doc, llm, served, "runs"));
    let ids: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ai/served-model-unpinned"), "{ids:?}");
    assert!(
        !ids.contains(&"ai/public-llm-app"),
        "a published compose port is not internet exposure: {ids:?}"
    );
}

#[test]
fn a_repository_package_named_like_an_ai_library_is_not_that_library() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "agents/__init__.py",
        "class Agent:\n    def __init__(self, name): self.name = name\n",
    );
    write(
        dir.path(),
        "app.py",
        "from agents import Agent\nplanner = Agent(name=\"planner\")\n",
    );
    let doc = json(&inventory(dir.path(), "json"));
    assert!(
        !doc["assets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "agent"),
        "{doc:#}"
    );
    // Without the local package, the same import is the OpenAI Agents SDK.
    std::fs::remove_dir_all(dir.path().join("agents")).unwrap();
    let doc = json(&inventory(dir.path(), "json"));
    assert_eq!(
        asset(&doc, "agent", "OpenAI Agents")["location"]["path"],
        "app.py"
    );
}

#[test]
fn a_next_js_route_behind_an_ingress_is_a_public_llm_app() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "web/package.json",
        r#"{"name": "web", "dependencies": {"openai": "4.67.0", "ai": "^3.4.0", "@ai-sdk/anthropic": "0.0.50"}}"#,
    );
    write(
        dir.path(),
        "web/app/api/ask/route.ts",
        "import OpenAI from \"openai\";\nimport { generateText } from \"ai\";\nimport { anthropic } from \"@ai-sdk/anthropic\";\n\
         const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n\
         export async function POST(req: Request) {\n  const { question } = await req.json();\n\
         const r = await client.chat.completions.create({ model: \"gpt-4o-mini\", messages: [{ role: \"user\", content: question }] });\n\
         const s = await generateText({ model: anthropic(\"claude-3-5-sonnet-latest\"), prompt: question });\n\
         return Response.json({ a: r, b: s.text });\n}\n",
    );
    write(
        dir.path(),
        "deploy/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: front}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example/front/web:2.0.0\n          env:\n            - name: OPENAI_API_KEY\n              valueFrom: {secretKeyRef: {name: openai, key: key}}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: front}\nspec:\n  rules:\n    - host: ask.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: {service: {name: web, port: {number: 80}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: front}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 3000}]\n",
    );
    let doc = json(&inventory(dir.path(), "json"));
    let openai = asset(&doc, "llm-client", "OpenAI");
    assert_eq!(
        openai["properties"]["models"],
        serde_json::json!(["gpt-4o-mini"])
    );
    assert_eq!(
        openai["properties"]["key_provided_by"][0]["from"],
        "secret:openai"
    );
    let claude = asset(&doc, "llm-client", "Anthropic");
    assert_eq!(
        claude["properties"]["models"],
        serde_json::json!(["claude-3-5-sonnet-latest"])
    );
    let web = asset(&doc, "workload", "Deployment front/web");
    assert!(edge(&doc, web, openai, "runs") && edge(&doc, web, claude, "runs"));
    let public: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "ai/public-llm-app")
        .collect();
    assert_eq!(public.len(), 2, "{:#}", doc["findings"]);
    let deps: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(
        deps.contains(&"pkg:npm/openai@4.67.0") && deps.contains(&"pkg:npm/ai"),
        "{deps:?}"
    );
}

#[test]
fn ai_packages_with_unsafe_loading_defaults_are_assessment_evidence() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "requirements.txt",
        "torch==2.1.0\nnumpy==1.26.4\njoblib==1.4.2\n",
    );
    write(
        dir.path(),
        "train.py",
        "import torch\nmodel = torch.load('model.pt')\n",
    );
    let out = warden()
        .args(["assess", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let doc = json(&out.get_output().stdout);
    let q7 = doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == 7)
        .unwrap()
        .clone();
    assert_eq!(q7["answer"], "no", "{q7:#}");
    let ev = q7["evidence"].to_string();
    // torch below 2.6 unpickles by default: an upgrade fixes it, so it is a "no".
    assert!(ev.contains("torch 2.1.0 (requirements.txt:1)"), "{ev}");
    // joblib is pickle in every version: listed; numpy 1.26 is past its fix: not listed.
    assert!(ev.contains("joblib 1.4.2 (requirements.txt:3)"), "{ev}");
    assert!(!ev.contains("numpy"), "{ev}");

    // With a safe torch, the packages no longer make the answer "no" by themselves.
    write(dir.path(), "requirements.txt", "torch==2.6.0\n");
    let out = warden()
        .args(["assess", ".", "--format", "json"])
        .current_dir(dir.path())
        .assert()
        .code(0);
    let doc = json(&out.get_output().stdout);
    let ev = doc["questions"][6]["evidence"].to_string();
    assert!(!ev.contains("torch 2.6.0"), "{ev}");
}
