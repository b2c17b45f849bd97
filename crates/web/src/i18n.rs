//! Page translations: Fluent files in `locales/`, Simplified Chinese first, Traditional Chinese and English by
//! a switch.

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
    /// 繁體中文 (Taiwan, Hong Kong, Macau).
    ZhTw,
    /// English.
    En,
}

impl Lang {
    /// From a stored or requested code; anything neither English nor Traditional Chinese is Simplified.
    pub fn from_code(code: &str) -> Lang {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("en") {
            Lang::En
        } else if ["zh-tw", "zh-hk", "zh-mo", "zh-hant"]
            .iter()
            .any(|p| code.starts_with(p))
        {
            Lang::ZhTw
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
                return Lang::from_code(&code);
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
            Lang::ZhTw => "zh-TW",
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

    /// A number with its unit (`n-hours`: 24小时 / 24 h), from a key that takes `$n`.
    pub fn count(&self, key: &str, n: impl std::fmt::Display) -> String {
        let mut args = std::collections::HashMap::new();
        args.insert(
            std::borrow::Cow::Borrowed("n"),
            fluent_templates::fluent_bundle::FluentValue::from(n.to_string()),
        );
        LOCALES
            .try_lookup_with_args(&self.id, key, &args)
            .unwrap_or_else(|| format!("{n} {key}"))
    }

    /// The label of a stored code of some kind (`evaluator`, `station` → 站点), from `<kind>-<code>`.
    pub fn of(&self, kind: &str, code: &str) -> String {
        self.t(&format!("{kind}-{code}"))
    }

    /// The label of a workflow's status (`order`, `placed` → 待派单), from `<workflow>-status-<code>`.
    pub fn status(&self, workflow: &str, code: &str) -> String {
        self.of(&format!("{workflow}-status"), code)
    }

    /// The label of a step a workflow's timeline records (`order`, `dispatch` → 派单).
    pub fn action(&self, workflow: &str, code: &str) -> String {
        self.of(&format!("{workflow}-action"), code)
    }

    /// True for English.
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Picks the Chinese or English of a pair the domain already gives (a role's or a status's label, a
    /// refusal's message); every text a page writes itself is a key in `locales/` instead.
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
        let tw = keys(include_str!("../locales/zh-TW/main.ftl"));
        assert!(!zh.is_empty());
        for k in &zh {
            assert!(en.contains(k), "English lacks {k}");
            assert!(tw.contains(k), "Traditional Chinese lacks {k}");
        }
        for k in en.iter().chain(&tw) {
            assert!(zh.contains(k), "Simplified Chinese lacks {k}");
        }
        assert_eq!(Tr::new(Lang::ZhTw).t("nav-home"), "首頁");
        assert_eq!(Tr::new(Lang::Zh).t("nav-home"), "首页");
        assert_eq!(Tr::new(Lang::En).t("nav-home"), "Home");
        // Every key parses and resolves in every language (a Fluent syntax error drops the entry, and the
        // page would show the key itself).
        for lang in [Lang::Zh, Lang::ZhTw, Lang::En] {
            for k in &zh {
                // Keys that take a number resolve with one.
                let mut args = std::collections::HashMap::new();
                args.insert(
                    std::borrow::Cow::Borrowed("n"),
                    fluent_templates::fluent_bundle::FluentValue::from("7"),
                );
                let text = LOCALES.try_lookup_with_args(&lang.id(), k, &args);
                assert!(text.is_some(), "{k} does not resolve in {}", lang.code());
                assert!(
                    !text.unwrap().trim().is_empty(),
                    "{k} is empty in {}",
                    lang.code()
                );
            }
        }
        // The Chinese files are Chinese: each text holds a Chinese character.
        for lang in [Lang::Zh, Lang::ZhTw] {
            for k in &zh {
                let text = Tr::new(lang).count(k, 7);
                assert!(
                    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{k} = {text} is not Chinese in {}",
                    lang.code()
                );
            }
        }
    }

    /// Every status of every workflow has its label, the same in Chinese as the domain's (which the API
    /// gives as `status_label`), and every action its label.
    #[test]
    fn every_workflow_status_and_action_has_a_label() {
        use wushe_domain::kernel::workflow::{Machine, Named};
        fn check<S: Named, A: Named>(m: &Machine<S, A>, statuses: &[S], actions: &[&str]) {
            let zh = Tr::new(Lang::Zh);
            for s in statuses {
                let key = format!("{}-status-{}", m.name, s.as_str());
                assert!(LOCALES.try_lookup(&Lang::En.id(), &key).is_some(), "{key}");
                assert_eq!(zh.status(m.name, s.as_str()), s.label_zh(), "{key}");
            }
            let mut all: Vec<&str> = m.steps.iter().map(|(_, a, _)| a.as_str()).collect();
            all.extend(actions);
            for a in all {
                let key = format!("{}-action-{a}", m.name);
                assert!(LOCALES.try_lookup(&Lang::En.id(), &key).is_some(), "{key}");
                assert!(LOCALES.try_lookup(&Lang::Zh.id(), &key).is_some(), "{key}");
            }
        }
        use wushe_domain::{
            lists::project, service::event, service::order, volunteering::activity,
        };
        check(&order::MACHINE, &order::Status::ALL, &["place"]);
        check(&event::MACHINE, &event::Status::ALL, &["report"]);
        check(
            &activity::MACHINE,
            &activity::Status::ALL,
            &[activity::CREATE],
        );
        check(&project::MACHINE, &project::Status::ALL, &["propose"]);
    }

    /// Pages write their own texts only as keys: no template or handler pairs a Chinese literal with an
    /// English one inline any more (issue 13: one mechanism).
    #[test]
    fn no_page_pairs_texts_inline() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("templates"), root.join("src")];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                seen += 1;
                let squashed: String = text.split_whitespace().collect();
                assert!(
                    !squashed.contains(".pick(\""),
                    "{} pairs texts inline; add a key to locales/ instead",
                    p.display()
                );
            }
        }
        assert!(seen > 50, "{seen} files read");
    }

    #[test]
    fn accept_language_prefers_the_first_supported() {
        assert_eq!(Lang::from_accept("en-US,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9"), Lang::Zh);
        assert_eq!(Lang::from_accept("fr"), Lang::Zh);
        assert_eq!(Lang::from_accept("zh-TW,zh;q=0.9"), Lang::ZhTw);
        assert_eq!(Lang::from_accept("zh-Hant-HK"), Lang::ZhTw);
        assert_eq!(Lang::from_code("zh-TW"), Lang::ZhTw);
    }
}
