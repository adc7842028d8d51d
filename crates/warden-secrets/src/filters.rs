//! Filters shared by all rules (placeholders, entropy) and the validators some rules name.

use crate::entropy::shannon;
use crate::rules::Validator;
use base64::Engine;

/// Markers that say a value is a stand-in, not a credential (lowercase; matched case-insensitively).
const PLACEHOLDER_MARKERS: &[&str] = &[
    "example",
    "xxxx",
    "****",
    "${",
    "{{",
    "}}",
    "your_",
    "your-",
    "yourkey",
    "changeme",
    "change_me",
    "placeholder",
    "dummy",
    "redacted",
    "...",
    "…",
    "insert_",
    "replace_me",
    "replaceme",
];

pub const DEFAULT_MIN_ENTROPY: f64 = 2.0;

/// Whether a secret is a placeholder or too uniform to be a credential.
pub fn looks_like_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    PLACEHOLDER_MARKERS.iter().any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
        || has_angle_placeholder(secret)
        // Long blobs (PEM bodies) have runs of `A` by nature; tokens do not.
        || (secret.len() < 100 && (longest_run(secret) >= 6 || longest_sequence(secret) >= 6))
}

/// `<token>`, `<your-api-key>`: a word in angle brackets. A lone `<` is just a character (WordPress salts).
fn has_angle_placeholder(s: &[u8]) -> bool {
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'<', rest) {
        let after = &rest[i + 1..];
        let word = after
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_- .".contains(b))
            .count();
        if word >= 2 && after.get(word) == Some(&b'>') {
            return true;
        }
        if word == 0 && after.is_empty() {
            return true; // cut off right after `<`
        }
        rest = after;
    }
    s.first() == Some(&b'<') || s.last() == Some(&b'>')
}

/// Length of the longest run of consecutive ascending bytes (`abcdef`, `123456`): typed by a person.
fn longest_sequence(s: &[u8]) -> usize {
    let (mut best, mut cur) = (1, 1);
    for w in s.windows(2) {
        cur = if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            cur + 1
        } else {
            1
        };
        best = best.max(cur);
    }
    if s.is_empty() {
        0
    } else {
        best
    }
}

/// Length of the longest run of one repeated byte (`aaaaaa`, `000000`).
fn longest_run(s: &[u8]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for (i, b) in s.iter().enumerate() {
        cur = if i > 0 && s[i - 1] == *b { cur + 1 } else { 1 };
        best = best.max(cur);
    }
    best
}

pub fn passes_entropy(secret: &[u8], min: Option<f64>) -> bool {
    shannon(secret) >= min.unwrap_or(DEFAULT_MIN_ENTROPY)
}

/// A match as a validator sees it.
pub struct MatchContext<'a> {
    /// The line before the match (at most 256 bytes): `…/badge.svg?` before `token=…`.
    pub line_before: &'a [u8],
    /// The part of the match before the secret: the key name.
    pub before: &'a [u8],
    pub secret: &'a [u8],
    /// The part of the match after the secret: a URI's host.
    pub rest: &'a [u8],
    /// The byte after the secret when the match ends with it, else the byte after the match.
    pub after: Option<u8>,
}

/// Runs a rule's validator.
pub fn validate(v: Validator, m: &MatchContext) -> bool {
    let secret = m.secret;
    match v {
        // A value cut short by the length cap is a blob, not a password (and its tail would show unredacted).
        Validator::GenericValue => {
            // Invalid UTF-8 in a value is binary noise, not a credential (and would redact ambiguously).
            std::str::from_utf8(secret).is_ok()
                && m.after.is_none_or(|c| b" \t\r\n\"'`;,)]}<>\\".contains(&c))
                && !public_badge(m.line_before)
                && generic_value(m.before, secret)
        }
        Validator::Password => {
            password(secret, None)
                && !documentation_host(m.rest)
                && !documentation_machine(m.before)
                && !repeats_a_field(m.before, secret)
        }
        Validator::Base64UserPass => base64_user_pass(secret),
        Validator::Jwt => jwt(secret),
        Validator::Random => random(secret),
        // The engine has already dropped references and placeholders (`stored_placeholder`); weak passwords
        // stay. What goes: an entry for a documentation host (`machine example.com`), and a password equal to
        // another field of its own record (`anonymous`/`anonymous`, `postgres:postgres`): a stand-in.
        Validator::Stored => !documentation_machine(m.before) && !repeats_a_field(m.before, secret),
    }
}

/// `$VAR`, `${VAR}`, `$(cmd)`, `%VAR%`: a value taken from elsewhere. (`$apr1$…` and `$2y$…` are hashes.)
fn is_variable_reference(s: &[u8]) -> bool {
    match s {
        [b'$', b'{' | b'(', ..] => true,
        [b'$', rest @ ..] => {
            !rest.is_empty()
                && (rest[0].is_ascii_alphabetic() || rest[0] == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        [b'%', .., b'%'] => true,
        _ => false,
    }
}

/// Whether `secret` is one of the fields (split on whitespace and the usual separators) before it in its record.
fn repeats_a_field(before: &[u8], secret: &[u8]) -> bool {
    before
        .split(|b| b.is_ascii_whitespace() || b":/@=\"'<>".contains(b))
        .any(|field| !field.is_empty() && field == secret)
}

/// For a stored password: a reference (`$VAR`, `${X}`, `%X%`, `{{ x }}`), an explicit placeholder (`<pass>`,
/// `your_password`, `changeme`, `xxxx`, `****`), or nothing at all. Weak passwords are not placeholders here.
pub fn stored_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    // Words that stand for a password in templates and docs, whole (`password password`, `pass: secret`).
    const STAND_INS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "mypassword",
        "mypass",
        "mysecret",
        "yourpassword",
        "userpassword",
        "sample",
        "fake",
        "notreal",
        "none",
        "null",
        "nil",
        "empty",
        "todo",
        "tbd",
        "unset",
        "foo",
        "bar",
        "foobar",
        "xyz",
    ];
    let trimmed = lower.trim_ascii();
    if STAND_INS.iter().any(|w| trimmed == w.as_bytes()) {
        return true;
    }
    secret.is_empty()
        || is_variable_reference(secret)
        || has_angle_placeholder(secret)
        || PLACEHOLDER_MARKERS
            .iter()
            .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
        || secret
            .iter()
            .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
}

/// Random tokens change character class (lower, upper, digit, other) at about 60% of positions and seldom
/// hold a run of four lowercase letters; `readFromEnvironmentFirst` changes at a quarter and is all words.
/// (Runs of capitals do not count here: random tokens have them, `GIKAeyennXZVIw…`.)
fn random(v: &[u8]) -> bool {
    class_changes(v) * 4 >= v.len() && word_share(v, false) < 0.6
}

/// Words in a key name that say the value is not a secret even though the name mentions one.
const NON_SECRET_KEY_PARTS: &[&str] = &[
    "public",
    "pubkey",
    "pub_key",
    "hash",
    "digest",
    "checksum",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "fingerprint",
    "integrity",
    "_id",
    "-id",
    ".id",
    "keyid",
    "_name",
    "-name",
    "name_",
    "_path",
    "-path",
    "_file",
    "-file",
    "_url",
    "-url",
    "_uri",
    "_endpoint",
    "_type",
    "-type",
    "_length",
    "_len",
    "_size",
    "_field",
    "_header",
    "_prefix",
    "_env",
    "_ref",
    "_policy",
    "_format",
    "_expir",
    "_ttl",
    "_timeout",
    "max_tokens",
    "num_tokens",
    "tokenizer",
    "token_count",
    "tokens_",
    "_regex",
    "_pattern",
    "cache_key",
    "sort_key",
    "primary_key",
    "foreign_key",
    "_placeholder",
    "_label",
    "_hint",
    "_description",
    "_location",
    "_version",
    "_question",
    "_min",
    "_max",
    "next_token",
    "nexttoken",
    "page_token",
    "pagetoken",
    "continuation",
    "tokenizer",
    "::",
    "backwardtoken",
    "forwardtoken",
    "paginationtoken",
    "lastused",
    "last_used",
    "created",
    "updated",
    "expires",
];

/// Words that make an identifier-shaped value code rather than a random credential (lowercase, 4+ letters:
/// a random token holds one by chance about once in ten thousand).
const CODE_WORDS: &[&str] = &[
    "self", "this", "token", "secret", "passw", "value", "string", "config", "default", "name",
    "type", "user", "data", "test", "handle", "typing", "param", "field", "state", "input",
    "output", "request", "response", "client", "server", "session", "context", "object", "result",
    "error", "get_", "set_", "_key", "key_", "auth", "cred", "file", "path", "list", "dict",
    "util", "model", "node", "item", "event", "http", "json",
];

/// Values that name, reference or describe a secret rather than hold one.
const REFERENCE_MARKERS: &[&str] = &[
    "${",
    "{{",
    "}}",
    "#{",
    "%(",
    "$(",
    "process.env",
    "os.environ",
    "getenv",
    "env(",
    "env.",
    "secrets.",
    "vault:",
    "ref+",
    "arn:aws:",
    "://",
    "\\n",
    "secretkeyref",
    "valuefrom",
];

/// `user:pass@example.com`, `@your-host`, `@host:5432`, `@localhost`: documentation, tests and a developer's
/// own machine, not a deployment.
fn documentation_host(rest: &[u8]) -> bool {
    let host = rest.strip_prefix(b"@").unwrap_or(rest).to_ascii_lowercase();
    let name_end = host
        .iter()
        .position(|b| b":/?#".contains(b))
        .unwrap_or(host.len());
    let name = &host[..name_end];
    host.starts_with(b"example.")
        || host.starts_with(b"www.example.")
        || host.starts_with(b"your")
        || name == b"localhost"
        || name.starts_with(b"127.")
        || [&b"host"[..], b"hostname"].contains(&name)
}

/// Status badges carry read-only tokens that their owners publish on purpose (`badge.svg?token=…`).
fn public_badge(line_before: &[u8]) -> bool {
    let lower = line_before.to_ascii_lowercase();
    [&b"badge.svg?"[..], b"codecov.io/", b"/badge?"]
        .iter()
        .any(|m| memchr::memmem::find(&lower, m).is_some())
}

/// `machine example.com login … password …` (.netrc): a documentation host named before the password.
fn documentation_machine(before: &[u8]) -> bool {
    let lower = before.to_ascii_lowercase();
    [
        &b"machine example."[..],
        b"machine host.domain",
        b"machine your",
    ]
    .iter()
    .any(|m| memchr::memmem::find(&lower, m).is_some())
}

/// Key names of tokens that are identifiers, not credentials (AWS idempotency and pagination tokens).
const NON_SECRET_TOKEN_KEYS: &[&str] = &[
    "secretsmanager",
    "secretmanager",
    "secret_manager",
    "keyvault",
    "clienttoken",
    "client_token",
    "changetoken",
    "updatetoken",
    "producttoken",
    "exporttoken",
    "importtoken",
    "verificationtoken",
    "idempotency",
    "synctoken",
    "resumetoken",
    "canceltoken",
    "requesttoken",
    "csrf",
];

/// Endings of key names that describe a secret instead of holding it.
const NON_SECRET_NAME_ENDINGS: &[&str] = &[
    "type",
    "name",
    "url",
    "uri",
    "path",
    "file",
    "length",
    "size",
    "count",
    "prefix",
    "policy",
    "endpoint",
    "version",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "format",
    "field",
    "header",
    "label",
    "hint",
    "regex",
    "pattern",
    "mode",
    "enabled",
    "required",
    "provider",
    "source",
    "store",
    "manager",
    "location",
    "kind",
];

/// Values that say they are samples.
const SAMPLE_VALUE_WORDS: &[&str] = &["password", "passw0rd", "secret", "sample", "mypass", "some"];

fn generic_value(before: &[u8], secret: &[u8]) -> bool {
    // `?token=A&amp;next=B`: a query string's value ends at its `&`; what the match ran on is several
    // parameters, not one value.
    if query_continues(secret) {
        return false;
    }
    let key = before.to_ascii_lowercase();
    if NON_SECRET_KEY_PARTS
        .iter()
        .chain(NON_SECRET_TOKEN_KEYS)
        .any(|p| memchr::memmem::find(&key, p.as_bytes()).is_some())
    {
        return false;
    }
    // A key that plainly names a secret (`client_secret`, `api_key`, `password`).
    let strong_key = [
        "secret", "passw", "api_key", "apikey", "api-key", "private", "signing",
    ]
    .iter()
    .any(|w| memchr::memmem::find(&key, w.as_bytes()).is_some());
    // `ServiceSpecificCredentialId`, `secret_id`: identifiers of secrets, not secrets.
    let name_end = before
        .iter()
        .rposition(|b| b.is_ascii_alphanumeric())
        .map_or(0, |i| i + 1);
    let name = &before[..name_end];
    if name.ends_with(b"Id") || name.ends_with(b"ID") || name.to_ascii_lowercase().ends_with(b"_id")
    {
        return false;
    }
    // `issuedTokenType`, `passwordPolicy`, `secretName`: names that describe a secret, not hold one.
    let lname = name.to_ascii_lowercase();
    if NON_SECRET_NAME_ENDINGS
        .iter()
        .any(|e| lname.ends_with(e.as_bytes()))
    {
        return false;
    }
    let v = secret;
    let lower = v.to_ascii_lowercase();
    if SAMPLE_VALUE_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return false;
    }
    if REFERENCE_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return false;
    }
    if matches!(
        v.first(),
        Some(b'$' | b'%' | b'@' | b'&' | b'/' | b'.' | b'*' | b'#')
    ) || lower.starts_with(b"arn:")
        || lower.starts_with(b"urn:")
        || lower.starts_with(b"!!")
        || lower.starts_with(b"~/")
    {
        return false;
    }
    // Dates and timestamps, and 0x-prefixed numbers.
    if (v.len() >= 10 && v[..4].iter().all(u8::is_ascii_digit) && v[4] == b'-' && v[7] == b'-')
        || (lower.starts_with(b"0x") && v[2..].iter().all(u8::is_ascii_hexdigit))
    {
        return false;
    }
    let text = String::from_utf8_lossy(v);
    // Hex digests and UUIDs are ids and checksums, unless the key plainly names a secret: many providers
    // issue hex or UUID keys.
    if ((is_uuid(&text) || is_hash_like(&text)) && !strong_key)
        || is_integrity_or_pwhash(&text)
        || has_file_extension(&text)
    {
        return false;
    }
    // Type paths in annotations (`htoken: super::Foundation::HANDLE`) and operators of minified code; base64
    // padding (`…==`) is not an operator.
    let unpadded = &v[..v.iter().rposition(|b| *b != b'=').map_or(0, |i| i + 1)];
    if ["::", "==", "=>", "&&", "||", "!=", "+="]
        .iter()
        .any(|op| memchr::memmem::find(unpadded, op.as_bytes()).is_some())
    {
        return false;
    }
    // Code, not a credential: `_private`, `rust_openssl.hpke.x`, `win32typing.PyCredHandle`.
    let identifier = v
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$');
    let dotted = v.split(|b| *b == b'.').all(|seg| {
        !seg.is_empty()
            && !seg[0].is_ascii_digit()
            && seg.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    });
    if v[0] == b'_'
        || (dotted && memchr::memchr(b'.', v).is_some() && class_changes(v) * 2 < v.len())
    {
        return false;
    }
    if wordiness(v) >= 0.7 {
        // `X509CertificateEnrollmentFlags`, `D3DKMT_DEFRAG_PASS`, `Buffer|Uint8Array|Blob`: made of words
        return false;
    }
    // Dotted code (`this.webIdentityCredentials`, `config.secret_key`) says so with a code word.
    let dotted_code = v.split(|b| *b == b'.').count() > 1
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_$.".contains(b))
        && CODE_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some());
    if dotted_code {
        return false;
    }
    if identifier
        && CODE_WORDS
            .iter()
            .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return false;
    }
    if v.iter().all(|b| b.is_ascii_hexdigit()) && v.len() < 32 && !(strong_key && v.len() >= 24) {
        return false; // short hex: ids, versions, colours; hex credentials are 32+ digits
    }
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let upper = v.iter().filter(|b| b.is_ascii_uppercase()).count();
    let lowerc = v.iter().filter(|b| b.is_ascii_lowercase()).count();
    let other = v.len() - digits - upper - lowerc;
    // Words, identifiers and dotted names (`GITHUB_TOKEN`, `userPassword`, `config.api.key`) hold no secret.
    if digits == 0
        && (other == 0
            || v.iter()
                .all(|b| b.is_ascii_alphabetic() || b"_-.".contains(b)))
    {
        return false;
    }
    let classes = [digits, upper, lowerc, other]
        .iter()
        .filter(|&&n| n > 0)
        .count();
    let entropy = shannon(v);
    if v.len() < 16 {
        classes >= 3 && entropy >= 3.0
    } else {
        classes >= 2 && entropy >= 3.3
    }
}

/// How often the character class (lower, upper, digit, other) changes along a value: random tokens change
/// class every other character, names and code rarely.
fn class_changes(v: &[u8]) -> usize {
    let class = |b: &u8| match b {
        b'a'..=b'z' => 0,
        b'A'..=b'Z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    v.windows(2)
        .filter(|w| class(&w[0]) != class(&w[1]))
        .count()
}

/// The share of a value's bytes that sit in words: a capital followed by lowercase letters, or a run of
/// letters of one case, four or more long. Random base62 tokens score 0.2 at the median and under 0.7 in
/// more than 99% of cases; `CamelCase` and `UPPER_SNAKE` names score above it.
fn wordiness(v: &[u8]) -> f64 {
    word_share(v, true)
}

/// [`wordiness`], optionally without the runs of capitals.
fn word_share(v: &[u8], upper_runs: bool) -> f64 {
    let (mut in_words, mut i) = (0, 0);
    while i < v.len() {
        if !v[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        let capitalised =
            v[i].is_ascii_uppercase() && v.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        let lower = capitalised || v[i].is_ascii_lowercase();
        let mut j = if capitalised { i + 1 } else { i };
        while j < v.len() && v[j].is_ascii_alphabetic() && v[j].is_ascii_lowercase() == lower {
            j += 1;
        }
        if j - start >= 4 && (upper_runs || lower) {
            in_words += j - start;
        }
        i = j;
    }
    in_words as f64 / v.len().max(1) as f64
}

/// Credentials printed in vendors' public documentation, known to everyone and valid nowhere that matters.
const PUBLIC_DOC_VALUES: &[&str] = &[
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
];

/// MD5, SHA-1 and SHA-256 of `""`, `test`, `password`, `admin`, `123456`, `hello` and `foo`: values anyone can
/// compute, which tests and samples paste where a key goes (`key-` + md5 of nothing).
const WELL_KNOWN_HASHES: &[&str] = &[
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "098f6bcd4621d373cade4e832627b4f6",
    "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "5f4dcc3b5aa765d61d8327deb882cf99",
    "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8",
    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    "21232f297a57a5a743894a0e4a801fc3",
    "d033e22ae348aeb5660fc2140aec35850c4da997",
    "8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918",
    "e10adc3949ba59abbe56e057f20f883e",
    "7c4a8d09ca3762af61e59520943dc26494f8941b",
    "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92",
    "5d41402abc4b2a76b9719d911017c592",
    "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    "acbd18db4cc2f85cedef654fccc4a4d8",
    "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33",
    "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
];

/// Whether a secret contains the hex digest of a well-known value (any case).
pub fn contains_well_known_hash(secret: &[u8]) -> bool {
    if secret.len() < 32 {
        return false;
    }
    let lower = secret.to_ascii_lowercase();
    WELL_KNOWN_HASHES
        .iter()
        .any(|h| memchr::memmem::find(&lower, h.as_bytes()).is_some())
}

/// Whether a secret is one of the well-known documentation values.
pub fn is_public_doc_value(secret: &[u8]) -> bool {
    PUBLIC_DOC_VALUES.iter().any(|v| v.as_bytes() == secret)
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Pure hex of a digest's length: commit ids, checksums.
fn is_hash_like(s: &str) -> bool {
    matches!(s.len(), 32 | 40 | 56 | 64 | 96 | 128) && s.bytes().all(|c| c.is_ascii_hexdigit()) && {
        // Upper- and lowercase hex mixed is not how digests are written.
        !(s.bytes().any(|c| c.is_ascii_uppercase()) && s.bytes().any(|c| c.is_ascii_lowercase()))
    }
}

fn is_integrity_or_pwhash(s: &str) -> bool {
    [
        "sha1-",
        "sha256-",
        "sha384-",
        "sha512-",
        "$2a$",
        "$2b$",
        "$2y$",
        "$argon2",
        "$5$",
        "$6$",
        "$pbkdf2",
        "pbkdf2_sha256$",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

fn has_file_extension(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        ".pem", ".key", ".json", ".txt", ".yaml", ".yml", ".crt", ".p12", ".pfx", ".jks", ".env",
        ".py", ".js", ".ts", ".html",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// Passwords that stand in for a real one in samples and local setups.
const DEFAULT_PASSWORDS: &[&str] = &[
    "password", "passwd", "pass", "pwd", "secret", "changeme", "admin", "root", "test", "postgres",
    "mysql", "guest", "user", "username", "redis", "mongo", "default", "xxx", "foo", "bar",
    "foobar", "none", "null", "sa",
];

/// A password in a URI or connection string: not a reference, not a stock stand-in, not the user name again.
pub fn password(secret: &[u8], user: Option<&[u8]>) -> bool {
    if secret.is_empty() || user == Some(secret) {
        return false;
    }
    let lower = secret.to_ascii_lowercase();
    if matches!(
        secret.first(),
        Some(b'$' | b'%' | b'{' | b'<' | b'[' | b':' | b'*')
    ) || REFERENCE_MARKERS[..8]
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        return false;
    }
    let text = String::from_utf8_lossy(&lower);
    // `passw0rd1`, `mysecret`, `samplepass`: stand-ins that say so.
    let says_so = ["pass", "secret", "sample"]
        .iter()
        .any(|w| text.contains(w));
    !DEFAULT_PASSWORDS.contains(&text.as_ref()) && !says_so
}

fn base64_user_pass(secret: &[u8]) -> bool {
    let Some(decoded) = decode_base64(secret) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return false;
    };
    match text.split_once(':') {
        Some((user, pass)) if !user.is_empty() && !pass.is_empty() => {
            !looks_like_placeholder(pass.as_bytes())
                && password(pass.as_bytes(), Some(user.as_bytes()))
        }
        _ => false,
    }
}

fn jwt(secret: &[u8]) -> bool {
    let Some(header) = secret.split(|b| *b == b'.').next() else {
        return false;
    };
    let Ok(bytes) =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header.trim_ascii_end())
    else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| v.get("alg").is_some())
}

/// Whether a token's built-in checksum holds.
pub fn checksum_holds(kind: crate::rules::Checksum, secret: &[u8]) -> bool {
    match kind {
        crate::rules::Checksum::Crc32Base62 => {
            let tail = secret.rsplit(|b| *b == b'_').next().unwrap_or(secret);
            if tail.len() <= 6 {
                return false;
            }
            let (body, check) = tail.split_at(tail.len() - 6);
            base62_6(crc32fast::hash(body)).as_bytes() == check
        }
    }
}

/// `n` in base62 (`0-9A-Za-z`), left-padded with `0` to 6 digits.
fn base62_6(mut n: u32) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `value` holds `&name=` or `&amp;name=` (the next parameter of a query string).
fn query_continues(value: &[u8]) -> bool {
    memchr::memchr_iter(b'&', value).any(|i| {
        let rest = &value[i + 1..];
        let rest = rest.strip_prefix(b"amp;").unwrap_or(rest);
        let name = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
            .count();
        name > 0 && rest.get(name) == Some(&b'=')
    })
}

/// Standard or URL-safe base64, padded or not.
pub fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let s = s.trim_ascii();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "sk-proj-xxxxxxxxxxxx",
            "<your-api-key>",
            "${OPENAI_API_KEY}",
            "AKIAIOSFODNN7EXAMPLE",
            "aaaaaaaaaaaa",
            "sk-...",
            "hf_abcdefghijklmnopqrstuvwxyz0123456789",
            "token<",
            "Bearer <token>",
        ] {
            assert!(looks_like_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!looks_like_placeholder(
            b"ghp_R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9Ab0Cd1E" // warden:ignore: test fixture
        ));
    }

    #[test]
    fn salts_with_angle_brackets_are_not_placeholders() {
        // warden:ignore: test fixture
        assert!(!looks_like_placeholder(
            b"f<b~`%BcU`3.mC5@-Qymsl/`aiEho)_zj+I9.l{v,Q~S<5:9|0k&CpsWy+7TK>Go"
        ));
    }

    #[test]
    fn generic_values() {
        let ok =
            |m: &str, v: &str| generic_value(&m.as_bytes()[..m.find(v).unwrap()], v.as_bytes());
        assert!(ok(
            "api_key = 'Zx81kQp0Lm2Vb7Rt4Yw9", // warden:ignore: test fixture
            "Zx81kQp0Lm2Vb7Rt4Yw9"
        ));
        assert!(ok("password: Tr0ub4dor&3x!", "Tr0ub4dor&3x!")); // warden:ignore: test fixture
        assert!(!ok("?tokena=A&amp;tokenb=B", "A&amp;tokenb=B"));
        assert!(!ok("?token=Zx81kQp0&next=/home", "Zx81kQp0&next=/home"));
        assert!(!ok("password: GITHUB_TOKEN_VALUE", "GITHUB_TOKEN_VALUE"));
        assert!(!ok(
            "token_hash = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'",
            "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
        ));
        assert!(!ok(
            "trace_token: 3f2b8c1e-9a4d-4e5f-8b7a-1c2d3e4f5a6b",
            "3f2b8c1e-9a4d-4e5f-8b7a-1c2d3e4f5a6b"
        ));
        assert!(!ok("password = os.environ['DB_PASSWORD']", "os.environ"));
        assert!(!ok(
            "secret_file: /etc/app/secret.pem",
            "/etc/app/secret.pem"
        ));
        assert!(!ok(
            "private_key = rust_openssl.hpke.X25519",
            "rust_openssl.hpke.X25519"
        ));
        assert!(!ok(
            "Credential: _win32typing_PyCredHandle",
            "_win32typing_PyCredHandle"
        ));
        assert!(!ok(
            "next_token = 'U2FsdGVkX1Q3w8Lm9PkR2vT'",
            "U2FsdGVkX1Q3w8Lm9PkR2vT"
        ));
        assert!(!ok("secret: cb5d330bf15d9d5a", "cb5d330bf15d9d5a"));
        assert!(!ok(
            "pszPassword: windows_sys::core::PWSTR",
            "windows_sys::core::PWSTR"
        ));
        assert!(!ok(
            "PrivateKeyAttestMask: X509CertificateTemplatePrivateKeyFlag",
            "X509CertificateTemplatePrivateKeyFlag"
        ));
        assert!(ok(
            // warden:ignore: test fixture
            "client-secret: 65dafd2c1edc82de0d2e2bccab48b051fa6515c9",
            "65dafd2c1edc82de0d2e2bccab48b051fa6515c9"
        ));
        assert!(!ok(
            "commit: 65dafd2c1edc82de0d2e2bccab48b051fa6515c9",
            "65dafd2c1edc82de0d2e2bccab48b051fa6515c9"
        ));
        assert!(ok(
            "POSTGRES_PASSWORD: W_NHsi9_oEv.wGiJ6ikmQU", // warden:ignore: test fixture
            "W_NHsi9_oEv.wGiJ6ikmQU"
        ));
        assert!(ok(
            "password: ~Gxocf~hbdz8-7!BxYV9SmOwgq1z", // warden:ignore: test fixture
            "~Gxocf~hbdz8-7!BxYV9SmOwgq1z"
        ));
        assert!(ok(
            "password=!2sj1c5DhS5vXLfTuhIbH8g", // warden:ignore: test fixture
            "!2sj1c5DhS5vXLfTuhIbH8g"
        ));
        assert!(!ok(
            "\"ServiceSpecificCredentialId\": \"ACCAQFODXMPL4YFHP7DZE\"",
            "ACCAQFODXMPL4YFHP7DZE"
        ));
        assert!(!ok(
            "\"ClientToken\": \"c9adb218-3c2d-4d8e-9bd0-2a1f5ab3e2c1x\"",
            "c9adb218-3c2d-4d8e-9bd0-2a1f5ab3e2c1x"
        ));
        assert!(!ok(
            "\"Password\": \"SomePassword123!\"",
            "SomePassword123!"
        ));
    }

    #[test]
    fn well_known_hashes_and_random_tokens() {
        assert!(contains_well_known_hash(
            b"key-D41D8CD98F00B204E9800998ECF8427E"
        ));
        assert!(!contains_well_known_hash(
            b"key-6c89ded5a34c87e1a846b126a6214aaf" // warden:ignore: test fixture
        ));
        assert!(random(b"MdUHiPSHZ3K94fMY6zWODcny")); // warden:ignore: test fixture
        assert!(random(b"GIKAeyennXZVIwG68CCDMq5T")); // warden:ignore: test fixture
        for words in [
            "readFromEnvironmentFirst",
            "ConfluenceServiceAccount",
            "loadfromvaultatstartup1",
            "readFromEnv2ForJira1Test",
        ] {
            assert!(!random(words.as_bytes()), "{words}");
        }
        // Random base62 tokens of 24 characters pass (a fixed LCG, so the test is stable).
        const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let passed = (0..2000)
            .filter(|_| {
                let token: Vec<u8> = (0..24)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        B62[(state >> 33) as usize % 62]
                    })
                    .collect();
                random(&token)
            })
            .count();
        assert!(passed >= 1990, "{passed} of 2000");
    }

    #[test]
    fn passwords_and_auth() {
        assert!(password(b"Xk29!vLq", None));
        assert!(!password(b"postgres", None));
        assert!(!password(b"${DB_PASSWORD}", None));
        assert!(!password(b"bob", Some(b"bob")));
        assert!(base64_user_pass(b"ZGVwbG95OlI4bjJLcTl2THgz")); // deploy:R8n2Kq9vLx3
        assert!(!base64_user_pass(b"dXNlcjpwYXNzd29yZA==")); // user:password
        assert!(!base64_user_pass(b"bm90IGEgcGFpcg=="));
    }

    #[test]
    fn github_checksums() {
        use crate::rules::Checksum::Crc32Base62;
        let body = "R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9A";
        let good = format!("ghp_{body}{}", base62_6(crc32fast::hash(body.as_bytes())));
        assert!(checksum_holds(Crc32Base62, good.as_bytes()));
        let broken = b"ghp_R8b2Kc9dLm3Np4Qr5St6Uv7Wx8Yz9Ab0Cd1E"; // warden:ignore: test fixture
        assert!(!checksum_holds(Crc32Base62, broken));
        assert_eq!(base62_6(0), "000000");
        assert_eq!(base62_6(61), "00000z");
    }

    #[test]
    fn jwt_headers() {
        assert!(jwt(
            b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl" // warden:ignore: test fixture
        ));
        assert!(!jwt(b"eyJub3RoaW5nIjoxfQ.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"));
    }
}
