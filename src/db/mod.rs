//! Database access for both backends: the connection enum, the pool, embedded migrations,
//! and `Db`, the one door through which request handlers reach the database.

pub mod clock;
pub mod schema;

use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, Pool};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to whichever backend the URL chose; queries are written once for both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL whose backend is decided by its scheme, never guessed: a string that is
/// neither `sqlite:` nor `postgres(ql)://` is refused instead of becoming a stray file.
#[derive(Debug, Clone)]
pub struct DbUrl {
    pub backend: Backend,
    /// What the backend's driver receives: a file path for SQLite, the URL for PostgreSQL.
    target: String,
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(format!("the SQLite URL {url:?} names no file"));
            }
            return Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_owned(),
            });
        }
        Err(format!(
            "unsupported database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE"
        ))
    }

    /// The SQLite file, when the backend is SQLite.
    pub fn sqlite_path(&self) -> Option<&str> {
        (self.backend == Backend::Sqlite).then_some(self.target.as_str())
    }

    /// Opens one connection, reporting the driver's own error (host refused, bad password…).
    pub fn establish(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Sqlite => SqliteConnection::establish(&self.target).map(DbConnection::Sqlite),
            Backend::Postgres => PgConnection::establish(&self.target).map(DbConnection::Postgres),
        }
    }
}

/// Builds pooled connections with `DbUrl::establish`, so pool errors keep their real cause.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DbUrl,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url.establish().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// SQLite settings that must hold on every connection: WAL for concurrent readers, foreign
/// keys enforced, and waiting on a busy database rather than failing at once. Connections
/// that only read are `query_only` for good: a write slipped into a read fails in every
/// test instead of under load (set once: changing that pragma discards every statement the
/// connection had prepared).
#[derive(Debug)]
struct SqlitePragmas {
    read_only: bool,
}

impl CustomizeConnection<DbConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        apply_sqlite_pragmas(conn).map_err(r2d2::Error::QueryError)?;
        if self.read_only {
            conn.batch_execute("PRAGMA query_only = ON")
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

fn apply_sqlite_pragmas(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        // busy_timeout first: the other pragmas may have to wait for a lock.
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )?;
    }
    Ok(())
}

/// Runs pending migrations on one fresh connection, before any pool exists, so that a
/// connection failure surfaces with the driver's message.
pub fn migrate(url: &DbUrl) -> Result<Vec<String>, String> {
    if let Some(parent) = url
        .sqlite_path()
        .and_then(|p| std::path::Path::new(p).parent())
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create the directory {}: {e}", parent.display()))?;
    }
    let mut conn = url
        .establish()
        .map_err(|e| format!("cannot connect to the {} database: {e}", url.backend.name()))?;
    apply_sqlite_pragmas(&mut conn).map_err(|e| format!("cannot configure SQLite: {e}"))?;
    let applied = match &mut conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| format!("migration failed: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

pub type DbPool = Pool<ConnectionManager>;

/// A pool of connections that may write.
pub fn build_pool(url: &DbUrl, size: u32) -> Result<DbPool, String> {
    pool_of(url, size, false)
}

fn pool_of(url: &DbUrl, size: u32, read_only: bool) -> Result<DbPool, String> {
    let manager = ConnectionManager { url: url.clone() };
    let mut builder = Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10));
    if url.backend == Backend::Sqlite {
        builder = builder.connection_customizer(Box::new(SqlitePragmas { read_only }));
    }
    builder
        .build(manager)
        .map_err(|e| format!("cannot open the {} database: {e}", url.backend.name()))
}

/// The database as request handlers see it: each call is one hop onto a blocking thread.
#[derive(Clone)]
pub struct Db {
    /// Connections that write (on PostgreSQL, every connection).
    pool: DbPool,
    /// On SQLite, connections that only read: one writer at a time needs few of its own.
    reads: Option<DbPool>,
    backend: Backend,
    /// On SQLite, this process's writers queue here before they ask for the database's write
    /// lock: SQLite lets a waiting writer poll with sleeps growing to 100 ms, which made the
    /// slowest writes wait up to a second behind a few milliseconds of work. See `hop`.
    writers: std::sync::Arc<WriteQueue>,
}

impl Db {
    /// The pools for `url`: `size` connections, plus two that write on SQLite.
    pub fn open(url: &DbUrl, size: u32) -> Result<Self, String> {
        let (pool, reads) = match url.backend {
            Backend::Sqlite => (build_pool(url, 2)?, Some(pool_of(url, size, true)?)),
            Backend::Postgres => (build_pool(url, size)?, None),
        };
        Ok(Self {
            pool,
            reads,
            backend: url.backend,
            writers: std::sync::Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connections that may write (commands and tests work on them).
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Runs `f` in one read-only transaction on the blocking thread pool: it sees one
    /// snapshot, never waits for writers, and a write inside it fails loudly.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.hop(Access::Read, f).await
    }

    /// Runs `f` in one write transaction on the blocking thread pool (see `transaction`).
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.hop(Access::Write, f).await
    }

    /// One blocking hop: a pooled connection and one transaction of the given kind.
    pub async fn hop<T, F>(&self, access: Access, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = match (&self.reads, access) {
            (Some(reads), Access::Read) => reads.clone(),
            _ => self.pool.clone(),
        };
        // A writer waits at the door without holding a blocking thread (reads need them), then
        // on the blocking thread for the one writing, which wakes it the moment it is done;
        // it opens the door for the next one as soon as it writes.
        let queue = (access == Access::Write && self.backend == Backend::Sqlite)
            .then(|| std::sync::Arc::clone(&self.writers));
        let door = match &queue {
            Some(q) => Some(std::sync::Arc::clone(&q.door).lock_owned().await),
            None => None,
        };
        web::block(move || {
            let _writing = queue.as_ref().map(|q| {
                q.writing
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            });
            drop(door);
            let mut conn = pool.get()?;
            transaction(&mut conn, access, f)
        })
        .await?
    }
}

/// Where a process's SQLite writers queue: at most one waits on a blocking thread behind
/// the one writing; the others wait at the door.
#[derive(Default)]
struct WriteQueue {
    /// First come, first served (`futures_util`'s mutex lets newcomers overtake a waiter,
    /// which left some saves waiting most of a second behind a stream of others).
    door: std::sync::Arc<tokio::sync::Mutex<()>>,
    writing: std::sync::Mutex<()>,
}

/// What a transaction may do. Pages and the API take it from the request's method: a `GET`
/// reads, anything else may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn of(method: &actix_web::http::Method) -> Self {
        use actix_web::http::Method;
        if [Method::GET, Method::HEAD, Method::OPTIONS].contains(method) {
            Access::Read
        } else {
            Access::Write
        }
    }
}

/// Runs `f` in one transaction; an error rolls everything back.
///
/// On SQLite a write transaction takes the write lock when it begins (`BEGIN IMMEDIATE`):
/// in WAL mode a transaction that read first and then tries to write is refused at once
/// when another connection writes (waiting could deadlock), so `busy_timeout` never applied
/// and simultaneous writes failed. Taken at the start, the lock is queued for, and readers
/// go on meanwhile. A read runs on a `query_only` connection on SQLite (see `Db::hop`) and
/// in a `READ ONLY` transaction on PostgreSQL, so a write slipped into a read fails in every
/// test instead of failing under load. A write advances the change clock of what it touched before it commits.
pub fn transaction<T>(
    conn: &mut DbConnection,
    access: Access,
    f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <DbConnection as Connection>::TransactionManager;
    match (&mut *conn, access) {
        (DbConnection::Sqlite(c), Access::Read) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN DEFERRED")?;
        }
        (DbConnection::Sqlite(c), Access::Write) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        (DbConnection::Postgres(c), Access::Read) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN READ ONLY")?;
        }
        (DbConnection::Postgres(c), Access::Write) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
        }
    }
    let outcome = match access {
        Access::Read => f(conn),
        Access::Write => {
            let (outcome, touched) = clock::collecting(|| f(conn));
            outcome.and_then(|value| clock::advance(conn, &touched).map(|()| value))
        }
    };
    match outcome {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Ids bound in one `IN (…)` list: well under SQLite's 32 766 and PostgreSQL's 65 535 bound
/// parameters, so a list of every organisme's commitments is read in a few statements.
pub const MAX_IDS: usize = 10_000;

/// Whether the database answers (health checks).
pub fn ping(conn: &mut DbConnection) -> Result<(), AppError> {
    use diesel::connection::SimpleConnection;
    Ok(conn.batch_execute("SELECT 1")?)
}

/// A savepoint inside the request's transaction: an attempt whose failure undoes its own
/// writes only, so the request can still answer from the database (a form shown again).
pub fn savepoint<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    diesel::Connection::transaction(conn, f)
}

/// A new identifier: UUIDv7, time-ordered, unguessable enough for URLs.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current instant in UTC, truncated to microseconds so both backends store it alike.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::Duration::microseconds(1)).unwrap_or(now)
}

/// Accepts only well-formed ids from URLs; anything else is simply not found.
pub fn parse_id(raw: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| AppError::NotFound)
}

/// Inserts many rows in few statements. `MultiConnection` cannot batch inserts itself, so
/// this runs the same statement on the inner connection; rows go in chunks that stay well
/// under both backends' limits on bound parameters.
#[macro_export]
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {{
        // The database's error is the macro's answer (not returned from the caller), so that
        // a caller can tell a unique violation from any other failure.
        let mut inserted = 0usize;
        let mut failed: Option<diesel::result::Error> = None;
        for chunk in $rows.chunks(500) {
            let done = match $conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    diesel::RunQueryDsl::execute(diesel::insert_into($table).values(chunk), c)
                }
                $crate::db::DbConnection::Postgres(c) => {
                    diesel::RunQueryDsl::execute(diesel::insert_into($table).values(chunk), c)
                }
            };
            match done {
                Ok(count) => inserted += count,
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        match failed {
            None => Ok::<usize, diesel::result::Error>(inserted),
            Some(error) => Err(error),
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_scheme() {
        let sqlite = DbUrl::parse("sqlite://data/qualitrack.db").unwrap();
        assert_eq!(sqlite.sqlite_path(), Some("data/qualitrack.db"));
        assert_eq!(
            DbUrl::parse("sqlite:/tmp/x.db").unwrap().sqlite_path(),
            Some("/tmp/x.db")
        );
        let pg = DbUrl::parse("postgres://root@127.0.0.1/test").unwrap();
        assert_eq!(pg.backend, Backend::Postgres);
        assert!(DbUrl::parse("host=127.0.0.1 port=5432").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn migrations_have_the_same_names_on_both_backends() {
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let root = env!("CARGO_MANIFEST_DIR");
        let sqlite = names(&format!("{root}/migrations/sqlite"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names(&format!("{root}/migrations/postgres")));
    }
}
