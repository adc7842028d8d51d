//! Edge worker configuration.
use std::env;
const LINEAR_API_KEY: &str = "lin_api_TDSllzPlPdz6TwyO6bsx4rGc4VKwkunbS2MzGftQ";
const FIGMA_TOKEN: &str = "figd_imNZzvllKIFXJ2-41G77BkjlvQFG39bmAjSbRjux";
const AIRTABLE_PAT: &str = "patLxqmwWGR5xyd0u.54fb95f21faa7f77646fc3cfa311094137bf4e18702a7a87f38a5120efe33840";
/// SHA-256("abc"), FIPS 180-2 test vector
const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const FNV_OFFSET: u64 = 0xcbf29ce484222325;

pub fn notion_token() -> String {
    env::var("NOTION_TOKEN").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_token() {
        let fake = "ntn_00000000000XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
        assert!(super::looks_like_notion(fake));
    }
}
