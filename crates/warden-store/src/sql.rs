//! One SQL text for both backends. The store's first operations (scans, decisions, expiries) are written per
//! backend because they are its hot path (batched inserts, streamed reads); everything since — access
//! ([`crate::access`]) and the dashboards ([`crate::dash`]) — is written once, over this small interface:
//! statements with numbered parameters (`?1`, `?2`: SQLite's syntax, rewritten to `$1` for PostgreSQL) and
//! values that are NULL, an integer or text. SQL here stays inside what both dialects share.

use crate::model::StoreError;

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(s)
    }
}
impl From<&String> for Val {
    fn from(s: &String) -> Self {
        Val::Text(s.clone())
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Self {
        Val::Int(i)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(o: Option<T>) -> Self {
        o.map_or(Val::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct SqlRow(pub Vec<Val>);

impl SqlRow {
    /// Text at column `i` (an integer reads as its digits; NULL as empty).
    pub fn text(&self, i: usize) -> String {
        match self.0.get(i) {
            Some(Val::Text(s)) => s.clone(),
            Some(Val::Int(n)) => n.to_string(),
            _ => String::new(),
        }
    }
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.0.get(i) {
            Some(Val::Null) | None => None,
            _ => Some(self.text(i)),
        }
    }
    /// Integer at column `i` (text that is not a number, and NULL, read as 0).
    pub fn int(&self, i: usize) -> i64 {
        match self.0.get(i) {
            Some(Val::Int(n)) => *n,
            Some(Val::Text(s)) => s.parse().unwrap_or(0),
            _ => 0,
        }
    }
}

/// What a backend connection or transaction offers the operations written once.
pub trait Sql {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<SqlRow>, StoreError>;
    fn query_opt(&mut self, sql: &str, args: &[Val]) -> Result<Option<SqlRow>, StoreError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }
}

/// `?N` to `$N`: the statements here hold no other question mark.
pub(crate) fn dollar(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

mod sqlite_impl {
    use super::*;
    use rusqlite::types::{ToSqlOutput, ValueRef};

    impl rusqlite::ToSql for Val {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(match self {
                Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
                Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
                Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            })
        }
    }

    fn val(v: ValueRef) -> Val {
        match v {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(i) => Val::Int(i),
            ValueRef::Real(f) => Val::Int(f as i64),
            ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(String::from_utf8_lossy(t).into()),
        }
    }

    /// Over a connection or a transaction (which derefs to one), naming the database in errors.
    pub struct Conn<'a> {
        pub conn: &'a rusqlite::Connection,
        pub path: &'a str,
    }

    impl Sql for Conn<'_> {
        fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
            let err = crate::sqlite::backend(self.path);
            let mut stmt = self.conn.prepare_cached(sql).map_err(&err)?;
            Ok(stmt
                .execute(rusqlite::params_from_iter(args.iter()))
                .map_err(&err)? as u64)
        }
        fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<SqlRow>, StoreError> {
            let err = crate::sqlite::backend(self.path);
            let mut stmt = self.conn.prepare_cached(sql).map_err(&err)?;
            let n = stmt.column_count();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                    (0..n)
                        .map(|i| r.get_ref(i).map(val))
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(SqlRow)
                })
                .map_err(&err)?;
            rows.map(|r| r.map_err(&err)).collect()
        }
    }
}
pub use sqlite_impl::Conn;

mod pg_impl {
    use super::*;
    use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
    use std::error::Error;

    type BoxError = Box<dyn Error + Sync + Send>;

    impl ToSql for Val {
        fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
            match self {
                Val::Null => Ok(IsNull::Yes),
                Val::Int(i) => match *ty {
                    Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                    Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                    Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                    _ => i.to_sql(ty, out),
                },
                Val::Text(s) => s.to_sql(ty, out),
            }
        }
        fn accepts(ty: &Type) -> bool {
            matches!(
                *ty,
                Type::INT8 | Type::INT4 | Type::INT2 | Type::TEXT | Type::VARCHAR
            )
        }
        to_sql_checked!();
    }

    impl<'a> FromSql<'a> for Val {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
            Ok(match *ty {
                Type::INT8 => Val::Int(i64::from_sql(ty, raw)?),
                Type::INT4 => Val::Int(i32::from_sql(ty, raw)?.into()),
                Type::INT2 => Val::Int(i16::from_sql(ty, raw)?.into()),
                Type::BOOL => Val::Int(bool::from_sql(ty, raw)?.into()),
                _ => Val::Text(String::from_sql(ty, raw)?),
            })
        }
        fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
            Ok(Val::Null)
        }
        fn accepts(ty: &Type) -> bool {
            matches!(
                *ty,
                Type::INT8
                    | Type::INT4
                    | Type::INT2
                    | Type::BOOL
                    | Type::TEXT
                    | Type::VARCHAR
                    | Type::BPCHAR
                    | Type::NAME
            )
        }
    }

    /// Over a client or a transaction, naming the database (its URL without the password) in errors.
    pub struct Client<'a, C: postgres::GenericClient> {
        pub client: &'a mut C,
        pub name: &'a str,
    }

    impl<C: postgres::GenericClient> Sql for Client<'_, C> {
        fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
            let params: Vec<&(dyn ToSql + Sync)> =
                args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
            self.client
                .execute(dollar(sql).as_str(), &params)
                .map_err(crate::pg::backend(self.name))
        }
        fn query(&mut self, sql: &str, args: &[Val]) -> Result<Vec<SqlRow>, StoreError> {
            let params: Vec<&(dyn ToSql + Sync)> =
                args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
            let rows = self
                .client
                .query(dollar(sql).as_str(), &params)
                .map_err(crate::pg::backend(self.name))?;
            let err = crate::pg::backend(self.name);
            rows.iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.try_get::<_, Val>(i).map_err(&err))
                        .collect::<Result<Vec<_>, _>>()
                        .map(SqlRow)
                })
                .collect()
        }
    }
}
pub use pg_impl::Client;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_become_dollars_and_nothing_else_changes() {
        assert_eq!(
            dollar("SELECT a FROM t WHERE b = ?1 AND c = ?12 AND d = '?'"),
            "SELECT a FROM t WHERE b = $1 AND c = $12 AND d = '?'"
        );
    }
}
