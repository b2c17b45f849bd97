//! Storage errors.

/// What can go wrong in the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A unique constraint refused the write; the payload names the constraint (index) when known.
    #[error("unique constraint violated: {0}")]
    Unique(String),
    /// The row asked for does not exist.
    #[error("row not found")]
    NotFound,
    /// Any other database failure.
    #[error(transparent)]
    Db(sqlx::Error),
    /// Migrations failed to apply.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result with a storage [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(ref d) if d.is_unique_violation() => Error::Unique(
                d.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| d.message().to_owned()),
            ),
            other => Error::Db(other),
        }
    }
}

impl Error {
    /// True when a unique constraint on the named index refused the write.
    pub fn is_unique_on(&self, index_or_column: &str) -> bool {
        matches!(self, Error::Unique(name) if name.contains(index_or_column))
    }
}
