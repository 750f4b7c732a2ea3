//! Organizations: the schools and employers of a platform.

use instruments::wire::staff::{Organization, OrganizationKind};

use super::{DbError, Store};

fn kind_str(kind: OrganizationKind) -> &'static str {
    match kind {
        OrganizationKind::School => "school",
        OrganizationKind::Employer => "employer",
    }
}

fn organization((id, name, kind): (i64, String, String)) -> Organization {
    let kind = if kind == "employer" { OrganizationKind::Employer } else { OrganizationKind::School };
    Organization { id, name, kind }
}

impl Store {
    /// Creates an organization.
    ///
    /// # Errors
    /// On database failure.
    pub async fn create_organization(
        &self,
        name: &str,
        kind: OrganizationKind,
        now: i64,
    ) -> Result<Organization, DbError> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO organizations (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(name)
                .bind(kind_str(kind))
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
        Ok(Organization { id, name: name.to_owned(), kind })
    }

    /// One organization.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown id.
    pub async fn organization(&self, id: i64) -> Result<Organization, DbError> {
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, kind FROM organizations WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(organization).ok_or_else(|| DbError::NotFound(format!("organization {id}")))
    }

    /// Every organization, or those with the given ids, by name.
    ///
    /// # Errors
    /// On database failure.
    pub async fn organizations(&self, only: Option<&[i64]>) -> Result<Vec<Organization>, DbError> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, kind FROM organizations ORDER BY name, id").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().filter(|(id, _, _)| only.is_none_or(|ids| ids.contains(id))).map(organization).collect())
    }
}
