//! Which data-key file a database belongs to, checked at every start: a store opened with a
//! missing or different key file is refused before it reads or seals anything, instead of
//! answering 503 to every read of existing data while sealing new data under a second key.

use sqlx::Row;
use uuid::Uuid;

use crate::accounts::to_hex;
use crate::crypto::SealContext;
use crate::reseal::{RowKey, SEALED_TABLES};
use crate::store::with_pool;
use crate::{Keyring, Store, StoreError};

/// The one row of `key_check`.
const CHECK_ROW: Uuid = Uuid::nil();
/// What the check value says, sealed.
const CHECK_TEXT: &str = "antitrata data-key check v1";

fn check_context() -> SealContext<'static> {
    SealContext {
        table: "key_check",
        column: "check",
        record: CHECK_ROW,
    }
}

impl Keyring {
    /// A short public name of the key file (from its index key, which never rotates), to tell
    /// two key files apart in a message without showing anything of the keys.
    pub fn fingerprint(&self) -> String {
        to_hex(&self.keyed_digest("key-file.fingerprint", b"")[..8])
    }
}

impl Store {
    /// Checks that this store's keys are the database's. The first time (no check row yet), the
    /// keys must open any sealed value the database already holds; then a check value is sealed
    /// with them and every later start opens it.
    pub async fn check_data_key(&self) -> Result<(), StoreError> {
        let keyring = self.keyring()?;
        let found = keyring.fingerprint();
        let row: Option<(String, Vec<u8>)> = with_pool!(self, |pool| {
            sqlx::query_as("select fingerprint, check_sealed from key_check where id = $1")
                .bind(CHECK_ROW)
                .fetch_optional(pool)
                .await?
        });
        if let Some((expected, sealed)) = row {
            let opens = keyring
                .open_str(&sealed, check_context())
                .is_ok_and(|text| text == CHECK_TEXT);
            if expected != found || !opens {
                return Err(StoreError::WrongDataKey { expected, found });
            }
            return Ok(());
        }
        if !self.opens_what_is_sealed(keyring).await? {
            return Err(StoreError::WrongDataKey {
                expected: "another key file (the database holds data sealed before this check)"
                    .to_owned(),
                found,
            });
        }
        let sealed = keyring.seal_str(CHECK_TEXT, check_context())?;
        with_pool!(self, |pool| {
            let _turn = self.write_turn().await?;
            sqlx::query(
                "insert into key_check (id, key_id, fingerprint, check_sealed) \
                 values ($1, $2, $3, $4) on conflict (id) do nothing",
            )
            .bind(CHECK_ROW)
            .bind(i64::from(keyring.current_key_id()))
            .bind(&found)
            .bind(&sealed)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Whether the keys open one sealed value of every table that holds any (true when nothing
    /// is sealed yet).
    async fn opens_what_is_sealed(&self, keyring: &Keyring) -> Result<bool, StoreError> {
        for spec in SEALED_TABLES.iter().filter(|t| t.table != "key_check") {
            let key_column = spec.key.column();
            for column in spec.columns {
                let select = format!(
                    "select {key_column}, {column}_sealed from {} \
                     where {column}_sealed is not null limit 1",
                    spec.table
                );
                let row = with_pool!(self, |pool| {
                    sqlx::query(&select)
                        .fetch_optional(pool)
                        .await?
                        .map(|row| {
                            let record = match spec.key {
                                RowKey::Id => row.try_get::<Uuid, _>(0)?,
                                RowKey::Owner => {
                                    crate::contacts::owner_record(&row.try_get::<String, _>(0)?)
                                }
                            };
                            Ok::<_, sqlx::Error>((record, row.try_get::<Vec<u8>, _>(1)?))
                        })
                        .transpose()?
                });
                if let Some((record, blob)) = row {
                    let context = SealContext {
                        table: spec.table,
                        column,
                        record,
                    };
                    if keyring.open(&blob, context).is_err() {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }
}
