//! People who run a shop from the admin: merchant users (owner, agent) of one tenant, and
//! operators who run the whole platform. Passwords are hashed elsewhere (server); this module
//! only knows the rules.

/// What a user may do in the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything of their shop: catalogue, settings, keys, users, analytics.
    Owner,
    /// The day-to-day: conversations (takeover), orders, leads; no settings, keys or users.
    Agent,
    /// The platform's operator: every shop, no shop of their own.
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Agent => "agent",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "agent" => Some(Role::Agent),
            "operator" => Some(Role::Operator),
            _ => None,
        }
    }
}

/// An admin user. `tenant_id` is `None` for operators only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: String,
    pub tenant_id: Option<String>,
    /// Lower-cased; one account per address across the platform.
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: i64,
}

/// What it takes to create a user, checked by [`NewUser::new`].
#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: Option<String>,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("email: not an email address")]
    BadEmail,
    #[error("name: 1 to 80 characters")]
    BadName,
    #[error("password: at least {MIN_PASSWORD} characters (at most 1024)")]
    WeakPassword,
    #[error("an operator belongs to no shop, and a shop user to exactly one")]
    RoleTenant,
}

/// Shortest password accepted (NIST SP 800-63B asks for at least 8).
pub const MIN_PASSWORD: usize = 10;

/// The normal form of an email address (trimmed, lower case) if it looks like one.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(AccountError::BadEmail)
    }
}

/// Checks a password's length before it is hashed.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let n = password.chars().count();
    if (MIN_PASSWORD..=1024).contains(&n) {
        Ok(())
    } else {
        Err(AccountError::WeakPassword)
    }
}

impl NewUser {
    pub fn new(
        tenant_id: Option<String>,
        email: &str,
        name: &str,
        role: Role,
        password_hash: String,
    ) -> Result<NewUser, AccountError> {
        let email = normalise_email(email)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(AccountError::BadName);
        }
        if (role == Role::Operator) != tenant_id.is_none() {
            return Err(AccountError::RoleTenant);
        }
        Ok(NewUser {
            tenant_id,
            email,
            name: name.to_string(),
            role,
            password_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalise_email(" Ana@Shop.EU ").unwrap(), "ana@shop.eu");
        for bad in [
            "",
            "ana",
            "ana@",
            "@shop.eu",
            "ana@shop",
            "a na@shop.eu",
            "ana@.eu",
        ] {
            assert_eq!(normalise_email(bad), Err(AccountError::BadEmail), "{bad}");
        }
    }

    #[test]
    fn operators_have_no_shop_and_users_one() {
        let h = String::from("h");
        assert!(NewUser::new(None, "o@x.io", "Op", Role::Operator, h.clone()).is_ok());
        assert_eq!(
            NewUser::new(None, "o@x.io", "Op", Role::Owner, h.clone()).unwrap_err(),
            AccountError::RoleTenant
        );
        assert_eq!(
            NewUser::new(Some("t".into()), "o@x.io", " ", Role::Agent, h).unwrap_err(),
            AccountError::BadName
        );
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pass").is_ok());
    }
}
