//! `comptoir admin …`: accounts for the web admin, made from the command line (the first
//! operator of a platform has nobody to invite them).

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use comptoir_domain::{NewUser, Role};
use comptoir_server::admin::auth::{hash_password, random_token};
use comptoir_store::Store;
use std::io::BufRead;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an operator account (every shop, no shop of its own) and print its password.
    CreateOperator {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Operator")]
        name: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create a user of one shop (owner or agent) and print its password.
    CreateUser {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Owner")]
        name: String,
        /// owner or agent
        #[arg(long, default_value = "owner")]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let p = line.trim_end_matches(['\r', '\n']).to_string();
        comptoir_domain::account::check_password(&p)?;
        Ok((p, false))
    } else {
        // 24 hex characters: 96 bits, typed once then changed or kept in a password manager.
        Ok((random_token()[..24].to_string(), true))
    }
}

pub async fn run(store: &dyn Store, cmd: AdminCommand) -> Result<()> {
    let (tenant_id, email, name, role, stdin) = match cmd {
        AdminCommand::CreateOperator {
            email,
            name,
            password_stdin,
        } => (None, email, name, Role::Operator, password_stdin),
        AdminCommand::CreateUser {
            tenant,
            email,
            name,
            role,
            password_stdin,
        } => {
            let t = store
                .tenant_by_slug(&tenant)
                .await?
                .with_context(|| format!("no tenant `{tenant}`"))?;
            let role = match role.as_str() {
                "owner" => Role::Owner,
                "agent" => Role::Agent,
                other => bail!("role `{other}`: owner or agent"),
            };
            (Some(t.id), email, name, role, password_stdin)
        }
    };
    let (password, generated) = password(stdin)?;
    let new = NewUser::new(
        tenant_id,
        &email,
        &name,
        role,
        hash_password(&password).map_err(|e| anyhow::anyhow!("{e:?}"))?,
    )?;
    let user = store.create_user(&new).await?;
    println!("created {} {} ({})", role.as_str(), user.email, user.id);
    if generated {
        println!("password (shown once): {password}");
    }
    println!("sign in at /admin/login");
    Ok(())
}
