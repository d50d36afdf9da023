use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use zv_monitor::auth::jwt::Claims;
use zv_monitor::domain::actor::Role;
use zv_monitor::domain::traeger::Ags;
use zv_monitor::{Application, Settings, api, startup, telemetry};

/// Target agreements between HMSI and the kommunale Träger of Hessen (§ 48b SGB II).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending migrations and load reference data, then exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Print one signed development token (HS256), and nothing else.
    Token(TokenArgs),
    /// Add example data: with --demo, the 2023 agreements of all 26 Träger in force with a year
    /// of submissions and BA data, marked [Demo]; never loaded by default.
    Seed(SeedArgs),
    /// Copy the SQLite database consistently while the service runs; for PostgreSQL use
    /// pg_dump.
    Backup(BackupArgs),
}

#[derive(clap::Args)]
struct BackupArgs {
    /// The copy to write, a new file, e.g. zv-monitor-2024-03-01.sqlite3.
    file: std::path::PathBuf,
}

#[derive(clap::Args)]
struct SeedArgs {
    /// The demonstration: agreements, figures and BA data, each marked [Demo].
    #[arg(long)]
    demo: bool,
}

#[derive(clap::Args)]
struct TokenArgs {
    #[arg(long, value_parser = ["hmsi", "traeger", "jobcenter"])]
    role: String,
    /// AGS of the Träger (traeger and jobcenter tokens), e.g. 06633.
    #[arg(long, value_parser = |s: &str| Ags::parse(s))]
    traeger: Option<Ags>,
    /// Id of the Jobcenter (jobcenter tokens), e.g. jc-06633.
    #[arg(long)]
    jobcenter: Option<String>,
    #[arg(long, default_value = "read write")]
    scope: String,
    /// Lifetime, e.g. 8h, 30m, 2days.
    #[arg(long, default_value = "8h", value_parser = humantime::parse_duration)]
    ttl: Duration,
    /// Subject; defaults to dev-<role>.
    #[arg(long)]
    sub: Option<String>,
}

#[actix_web::main]
async fn main() -> ExitCode {
    zv_monitor::memory::tune_allocator();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings).await,
        Command::Migrate => migrate(cli.settings).await,
        Command::Openapi => openapi(),
        Command::Token(args) => token(&cli.settings, args),
        Command::Seed(args) => seed(cli.settings, args).await,
        Command::Backup(args) => backup(&cli.settings, args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zv-monitor: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The command a user types to get a token, as this binary was started.
fn token_command() -> String {
    if std::env::var_os("CARGO").is_some() {
        "cargo run -- token --role hmsi".to_owned()
    } else {
        let me = std::env::args()
            .next()
            .unwrap_or_else(|| "zv-monitor".into());
        format!("{me} token --role hmsi")
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format);
    let app = Application::build(settings.clone()).await?;
    let base = format!("http://{}", app.address());
    let report = app.report();
    tracing::info!(
        address = %app.address(),
        backend = settings.backend().name(),
        migrations_applied = report.migrations_applied,
        traeger_loaded = report.loaded.traeger,
        indicators_loaded = report.loaded.indicators,
        agreements_loaded = report.loaded.agreements,
        "zv-monitor is serving"
    );
    // The banner is for a person at a terminal; a closed stdout must not stop the service.
    let banner = format!(
        "zv-monitor {} on {}\n  Swagger UI:  {base}/swagger-ui/\n  OpenAPI:     {base}{}\n  \
         A token:     {}\n",
        env!("CARGO_PKG_VERSION"),
        settings.backend().name(),
        api::docs::SPEC_PATH,
        token_command()
    );
    let _ = std::io::Write::write_all(&mut std::io::stdout(), banner.as_bytes());
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(mut settings: Settings) -> anyhow::Result<()> {
    telemetry::init(settings.log_format);
    settings.migrate_on_start = true;
    let (_, report) = startup::prepare_database(&settings).await?;
    eprintln!(
        "applied {} migration(s); loaded {} Träger, {} indicators, {} agreements",
        report.migrations_applied,
        report.loaded.traeger,
        report.loaded.indicators,
        report.loaded.agreements
    );
    Ok(())
}

async fn seed(mut settings: Settings, args: SeedArgs) -> anyhow::Result<()> {
    if !args.demo {
        anyhow::bail!("nothing to seed: say --demo for the demonstration data");
    }
    telemetry::init(settings.log_format);
    settings.migrate_on_start = true;
    let (services, _) = startup::prepare_database(&settings).await?;
    match zv_monitor::app::demo::load(&services).await? {
        Some(d) => eprintln!(
            "demo data added: {} agreements in force, {} submissions, {} BA transmission(s), \
             each marked [Demo]",
            d.agreements, d.submissions, d.transmissions
        ),
        None => eprintln!("demo data is there already: nothing added"),
    }
    Ok(())
}

async fn backup(settings: &Settings, args: BackupArgs) -> anyhow::Result<()> {
    let url = settings.database_url.clone();
    let file = args.file.clone();
    let bytes = actix_web::rt::task::spawn_blocking(move || {
        zv_monitor::store::pool::backup_sqlite(&url, &file)
    })
    .await?
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "copied the database to {} ({bytes} bytes)",
        args.file.display()
    );
    Ok(())
}

fn openapi() -> anyhow::Result<()> {
    println!("{}", api::openapi().to_pretty_json()?);
    Ok(())
}

fn token(settings: &Settings, args: TokenArgs) -> anyhow::Result<()> {
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    match role {
        Role::Traeger | Role::Jobcenter if args.traeger.is_none() => {
            anyhow::bail!("a {role} token needs --traeger AGS, e.g. --traeger 06633")
        }
        Role::Jobcenter if args.jobcenter.is_none() => {
            anyhow::bail!("a jobcenter token needs --jobcenter ID, e.g. --jobcenter jc-06633")
        }
        _ => {}
    }
    let now = chrono::Utc::now().timestamp();
    let ttl = i64::try_from(args.ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let claims = Claims {
        sub: args.sub.unwrap_or_else(|| format!("dev-{role}")),
        role: role.as_str().to_owned(),
        traeger: args.traeger.map(String::from),
        jobcenter: args.jobcenter,
        scope: args.scope,
        iss: None,
        aud: None,
        exp: now.saturating_add(ttl),
        iat: now,
    };
    println!("{}", settings.signer()?.sign(claims)?);
    Ok(())
}
