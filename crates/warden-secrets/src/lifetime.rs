use serde::{Deserialize, Serialize};

/// Whether a credential stays valid until someone revokes it, or expires by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Lifetime {
    LongLived,
    ShortLived,
    #[default]
    Unknown,
}

impl Lifetime {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LongLived => "long-lived",
            Self::ShortLived => "short-lived",
            Self::Unknown => "unknown",
        }
    }
}
