//! The platform's own data: named JSON documents (warning levels, the interview form)
//! and the referral directory.

use instruments::wire::warning::{DestinationKind, NewDestination, ReferralDestination};

use super::{from_json, to_json, DbError, Store};

/// Names of the platform's documents.
pub const WARNING_LEVELS: &str = "warning_levels";
/// The interview form.
pub const INTERVIEW_FORM: &str = "interview_form";

#[derive(sqlx::FromRow)]
struct DestinationRow {
    id: i64,
    name: String,
    kind: String,
    levels: String,
    contact: String,
    active: i64,
}

fn kind_name(kind: DestinationKind) -> &'static str {
    match kind {
        DestinationKind::Hospital => "hospital",
        DestinationKind::GuidanceCentre => "guidance_centre",
        DestinationKind::Hotline => "hotline",
        DestinationKind::Other => "other",
    }
}

impl TryFrom<DestinationRow> for ReferralDestination {
    type Error = DbError;

    fn try_from(row: DestinationRow) -> Result<Self, DbError> {
        let kind = match row.kind.as_str() {
            "hospital" => DestinationKind::Hospital,
            "guidance_centre" => DestinationKind::GuidanceCentre,
            "hotline" => DestinationKind::Hotline,
            "other" => DestinationKind::Other,
            other => return Err(DbError::Other(anyhow::anyhow!("stored destination kind `{other}` is unknown"))),
        };
        Ok(ReferralDestination {
            id: row.id,
            destination: NewDestination {
                name: row.name,
                kind,
                levels: from_json("destination levels", &row.levels)?,
                contact: row.contact,
                active: row.active != 0,
            },
        })
    }
}

impl Store {
    /// A platform document, or `None` when the platform has not set it.
    ///
    /// # Errors
    /// On database failure or a stored document that does not parse.
    pub async fn platform_document<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, DbError> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM platform_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        value.map(|v| from_json(name, &v)).transpose()
    }

    /// Saves a platform document, with an audit entry, in one transaction.
    ///
    /// # Errors
    /// On database failure.
    pub async fn save_platform_document<T: serde::Serialize>(
        &self,
        name: &str,
        value: &T,
        user: i64,
        now: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO platform_settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                 updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(to_json(value))
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        super::audit::record_in(&mut tx, Some(user), None, "platform_changed", name, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Unfinished warnings per level id.
    ///
    /// # Errors
    /// On database failure.
    pub async fn unfinished_by_level(&self) -> Result<Vec<(String, i64)>, DbError> {
        Ok(sqlx::query_as(
            "SELECT level, COUNT(*) FROM cases WHERE state NOT IN ('closed', 'lifted') GROUP BY level ORDER BY level",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The referral directory, in the order entered.
    ///
    /// # Errors
    /// On database failure or a row that does not convert.
    pub async fn referral_destinations(&self) -> Result<Vec<ReferralDestination>, DbError> {
        let rows: Vec<DestinationRow> =
            sqlx::query_as("SELECT id, name, kind, levels, contact, active FROM referral_destinations ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// One destination.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id.
    pub async fn referral_destination(&self, id: i64) -> Result<ReferralDestination, DbError> {
        let row: DestinationRow =
            sqlx::query_as("SELECT id, name, kind, levels, contact, active FROM referral_destinations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| DbError::NotFound(format!("referral destination {id}")))?;
        row.try_into()
    }

    /// Adds (`id` `None`) or replaces a destination, with an audit entry.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id; on database failure.
    pub async fn save_referral_destination(
        &self,
        id: Option<i64>,
        destination: &NewDestination,
        user: i64,
        now: i64,
    ) -> Result<ReferralDestination, DbError> {
        let mut tx = self.pool.begin().await?;
        let saved: Option<i64> = match id {
            None => {
                sqlx::query_scalar(
                    "INSERT INTO referral_destinations (name, kind, levels, contact, active, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(destination.name.trim())
                .bind(kind_name(destination.kind))
                .bind(to_json(&destination.levels))
                .bind(destination.contact.trim())
                .bind(i64::from(destination.active))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
            }
            Some(id) => {
                sqlx::query_scalar(
                    "UPDATE referral_destinations SET name = $1, kind = $2, levels = $3, contact = $4, active = $5
                     WHERE id = $6 RETURNING id",
                )
                .bind(destination.name.trim())
                .bind(kind_name(destination.kind))
                .bind(to_json(&destination.levels))
                .bind(destination.contact.trim())
                .bind(i64::from(destination.active))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let saved = saved.ok_or_else(|| DbError::NotFound(format!("referral destination {}", id.unwrap_or(0))))?;
        super::audit::record_in(&mut tx, Some(user), None, "destination_saved", &format!("destination {saved}"), now)
            .await?;
        tx.commit().await?;
        self.referral_destination(saved).await
    }
}
