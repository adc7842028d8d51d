#[cfg(test)]
mod tests {
    #[test]
    fn dump() {
        let cases: &[(&str, bool)] = &[
            ("const k = import.meta.env.VITE_KEY; const {A, B: c} = require('x'); import O, {P as Q} from 'openai'; import * as ai from 'ai';", false),
            ("import x = require('y');\nclass C { private client = new OpenAI(); @Post('/x') async chat(@Body() body: Dto): Promise<void> { this.client.a(body as any)!; } }\nfunction f(a: string, b?: number, {c}: T = {}) {}", true),
            ("const t = sql`SELECT a FROM b WHERE x = ${y}`; export async function POST(req: Request) {} export const GET = async () => 1; export default function h(){}", true),
        ];
        for (src, ts) in cases {
            let mut p = tree_sitter::Parser::new();
            if *ts { p.set_language(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()).unwrap(); } else { p.set_language(&tree_sitter_javascript::LANGUAGE.into()).unwrap(); }
            let t = p.parse(src, None).unwrap();
            println!("{}\n", t.root_node().to_sexp());
        }
    }
}
