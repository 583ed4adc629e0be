//! Words written now and read later: a notification is stored as a message of the
//! catalogue and its variables, and put into words when someone reads it, in their
//! language (the same notice reads in French for one member and in English for another).

use serde::{Deserialize, Serialize};

use super::Lang;

/// A catalogue message and the values of its variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    /// Variables whose value is text, shown as it is.
    pub args: Vec<(String, String)>,
    /// Variables whose value is another message of the catalogue (filled with the same
    /// variables), put into the reader's language too: "the post “{ $label }”".
    pub parts: Vec<(String, String)>,
}

impl Message {
    pub fn new(key: &str) -> Message {
        Message {
            key: key.to_string(),
            args: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// With the variable `name` set to the catalogue's message `key`.
    pub fn part(mut self, name: &str, key: &str) -> Message {
        self.parts.push((name.to_string(), key.to_string()));
        self
    }

    /// With the variable `name` set to `value`.
    pub fn arg(mut self, name: &str, value: impl Into<String>) -> Message {
        self.args.push((name.to_string(), value.into()));
        self
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let parts: Vec<(&str, String)> = self
            .parts
            .iter()
            .map(|(n, key)| (n.as_str(), lang.tv(key, &args)))
            .collect();
        let mut all = args.clone();
        all.extend(parts.iter().map(|(n, v)| (*n, v.as_str())));
        lang.tv(&self.key, &all)
    }

    /// The variables as stored: a JSON object of text values, and of `{"message": key}`
    /// for the parts.
    pub fn args_json(&self) -> String {
        let mut map: serde_json::Map<String, serde_json::Value> = self
            .args
            .iter()
            .map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone())))
            .collect();
        for (n, key) in &self.parts {
            map.insert(n.clone(), serde_json::json!({ "message": key }));
        }
        serde_json::Value::Object(map).to_string()
    }

    /// A stored message, if `key` is one the catalogue knows and `args` can be read.
    pub fn stored(key: &str, args: &str) -> Option<Message> {
        if !Lang::En.catalogue().contains_key(key) {
            return None;
        }
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(args).ok()?;
        let mut message = Message::new(key);
        for (name, value) in map {
            match value {
                serde_json::Value::String(text) => message.args.push((name, text)),
                serde_json::Value::Object(o) => {
                    let part = o.get("message").and_then(|k| k.as_str())?;
                    if !Lang::En.catalogue().contains_key(part) {
                        return None;
                    }
                    message.parts.push((name, part.to_string()));
                }
                _ => return None,
            }
        }
        Some(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_message_reads_in_each_language() {
        let m = Message::new("notice-welcome-plain").arg("community", "!nursing@host");
        let back = Message::stored(&m.key, &m.args_json());
        assert_eq!(back.as_ref(), Some(&m));
        assert_eq!(m.render(Lang::En), "You are now a member of !nursing@host");
        assert_eq!(
            m.render(Lang::Fr),
            "Vous êtes désormais membre de !nursing@host"
        );
    }

    #[test]
    fn parts_are_messages_in_the_readers_language_too() {
        let m = Message::new("notice-report-instance")
            .arg("id", "7")
            .arg("label", "Night shifts")
            .part("what", "report-about-post-named");
        let back = Message::stored(&m.key, &m.args_json()).unwrap();
        assert_eq!(back.render(Lang::En), m.render(Lang::En));
        let en = m.render(Lang::En);
        assert!(en.contains("#7") && en.contains("Night shifts"), "{en}");
        assert!(!en.contains("report-about"), "{en}");
        let fr = m.render(Lang::Fr);
        assert!(fr.contains("Night shifts") && fr != en, "{fr}");
    }

    #[test]
    fn every_report_target_has_words() {
        for kind in ["post", "comment", "person", "gone"] {
            for suffix in ["", "-named", "-private"] {
                let key = format!("report-about-{kind}{suffix}");
                for lang in Lang::ALL {
                    assert!(lang.catalogue().contains_key(key.as_str()), "{key}");
                }
            }
        }
    }

    #[test]
    fn unknown_keys_and_broken_variables_are_not_read() {
        assert_eq!(Message::stored("no-such-key", "{}"), None);
        assert_eq!(Message::stored("notice-welcome-plain", "[1,2]"), None);
        let bad_part = r#"{"what": {"message": "no-such-key"}}"#;
        assert_eq!(Message::stored("notice-report-instance", bad_part), None);
    }
}
