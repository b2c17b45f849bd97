//! Page translations: Fluent files in `locales/`, Simplified Chinese first, English by a switch.

use fluent_templates::{static_loader, LanguageIdentifier, Loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From a stored or requested code; anything not English is Chinese.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The first supported language in an Accept-Language header (Chinese when none).
    pub fn from_accept(header: &str) -> Lang {
        for part in header.split(',') {
            let code = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if code.starts_with("zh") {
                return Lang::Zh;
            }
            if code.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn id(self) -> LanguageIdentifier {
        self.code().parse().expect("valid language id")
    }
}

/// A translator for one request.
#[derive(Debug, Clone)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
    id: LanguageIdentifier,
}

impl Tr {
    /// A translator for a language.
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            id: lang.id(),
        }
    }

    /// The text for a key (the key itself when missing, so a gap shows instead of breaking the page).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.id, key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// True for English.
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Picks the Chinese or English of a pair the domain already gives.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.is_en() {
            en
        } else {
            zh
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_every_key() {
        let keys = |s: &str| -> Vec<String> {
            s.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .filter(|k| !k.starts_with('#'))
                .collect()
        };
        let zh = keys(include_str!("../locales/zh-CN/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        assert!(!zh.is_empty());
        for k in &zh {
            assert!(en.contains(k), "English lacks {k}");
        }
        for k in &en {
            assert!(zh.contains(k), "Chinese lacks {k}");
        }
        assert_eq!(Tr::new(Lang::Zh).t("nav-home"), "首页");
        assert_eq!(Tr::new(Lang::En).t("nav-home"), "Home");
    }

    #[test]
    fn accept_language_prefers_the_first_supported() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9"), Lang::Zh);
        assert_eq!(Lang::from_accept("fr"), Lang::Zh);
    }
}
