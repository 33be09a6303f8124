//! A browser named as its owner would recognise it on their list of sessions ("Firefox,
//! Windows"), from its `User-Agent`. Only the families people can tell apart are named: the
//! list needs a name to point at, not an inventory (the full string stays on the page, in a
//! `title`). User-agent parsers on crates.io carry datasets last refreshed years ago for
//! this one line of text.

/// The browser's and the system's names, when the string says them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub browser: Option<&'static str>,
    pub system: Option<&'static str>,
}

/// Browsers by the token that names them, most specific first: Edge and Opera also say
/// "Chrome", Chrome also says "Safari".
const BROWSERS: [(&str, &str); 7] = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
];

/// Systems, the same way: Android also says "Linux", iPhones also say "Mac OS X".
const SYSTEMS: [(&str, &str); 7] = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

pub fn describe(user_agent: &str) -> Device {
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(token, _)| user_agent.contains(token))
            .map(|(_, name)| *name)
    };
    let browser = find(&BROWSERS).or_else(|| {
        // Safari names itself last, after every engine it shares a token with.
        (user_agent.contains("Safari/") && user_agent.contains("Version/")).then_some("Safari")
    });
    Device {
        browser,
        system: find(&SYSTEMS),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    fn names(ua: &str) -> (Option<&'static str>, Option<&'static str>) {
        let d = describe(ua);
        (d.browser, d.system)
    }

    #[test]
    fn common_browsers_are_named_with_their_system() {
        assert_eq!(
            names(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
            ),
            (Some("Edge"), Some("Windows"))
        );
        assert_eq!(
            names("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
            (Some("Firefox"), Some("Linux"))
        );
        assert_eq!(
            names(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            (Some("Safari"), Some("iPhone"))
        );
        assert_eq!(
            names(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
            ),
            (Some("Chrome"), Some("Android"))
        );
        assert_eq!(
            names(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
            ),
            (Some("Safari"), Some("macOS"))
        );
    }

    #[test]
    fn an_unknown_client_is_not_guessed() {
        assert_eq!(names("curl/8.5.0"), (None, None));
        assert_eq!(names(""), (None, None));
    }
}
