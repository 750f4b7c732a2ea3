//! Who may do what: the one place where the server decides authorization.
//!
//! Handlers name the [`Permission`] an action needs (with the organization it
//! concerns) and call [`Staff::require`]; the table of which role grants which
//! permission lives only in [`Staff::may`]. The authorization-matrix test drives every
//! endpoint with every role against it.

use instruments::wire::staff::Role;

use crate::auth::Staff;
use crate::error::ApiError;

/// An organization's database id.
pub type OrgId = i64;

/// What an action needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Create organizations; read the platform-wide audit log.
    AdministerPlatform,
    /// See that the organization exists and its follow-up figures.
    SeeOrganization(OrgId),
    /// The organization's campaigns, access codes, members, invitations and audit log.
    ManageOrganization(OrgId),
    /// The organization's follow-up queue and cases.
    FollowUpCases(OrgId),
    /// Raw answers of the organization's campaigns: its own admins only, never the
    /// platform (the issue: raw-data export "exists only for organization admins").
    ExportRawData(OrgId),
    /// One person's results over time (a code's timeline): the organization's own
    /// counselors and admins, never the platform — a person is followed by their school.
    FollowPerson(OrgId),
    /// Delete everything stored under a code: the organization's own admins only.
    ErasePerson(OrgId),
}

impl Staff {
    /// Whether this person holds the permission.
    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::ExportRawData(org) | Permission::ErasePerson(org) => return self.has(org, Role::OrgAdmin),
            Permission::FollowPerson(org) => return self.has(org, Role::OrgAdmin) || self.has(org, Role::Counselor),
            _ => {}
        }
        if self.platform_admin {
            return true;
        }
        match permission {
            Permission::AdministerPlatform => false,
            Permission::SeeOrganization(org) => self.roles.iter().any(|(o, _)| *o == org),
            Permission::ManageOrganization(org) => self.has(org, Role::OrgAdmin),
            Permission::FollowUpCases(org) => self.has(org, Role::Counselor),
            Permission::ExportRawData(_) | Permission::FollowPerson(_) | Permission::ErasePerson(_) => false,
        }
    }

    /// Refuses (403) unless this person holds the permission.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// Organizations this person holds any role in (all for a platform admin: `None`).
    pub fn visible_organizations(&self) -> Option<Vec<OrgId>> {
        (!self.platform_admin).then(|| {
            let mut orgs: Vec<OrgId> = self.roles.iter().map(|(o, _)| *o).collect();
            orgs.sort_unstable();
            orgs.dedup();
            orgs
        })
    }

    fn has(&self, org: OrgId, role: Role) -> bool {
        self.roles.iter().any(|(o, r)| *o == org && *r == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(platform_admin: bool, roles: &[(OrgId, Role)]) -> Staff {
        Staff {
            user_id: 1,
            email: "a@example.org".into(),
            platform_admin,
            roles: roles.to_vec(),
            csrf_token: String::new(),
            session_hash: String::new(),
        }
    }

    #[test]
    fn roles_grant_only_their_organization() {
        let admin = staff(false, &[(1, Role::OrgAdmin)]);
        assert!(admin.may(Permission::ManageOrganization(1)));
        assert!(!admin.may(Permission::ManageOrganization(2)));
        assert!(!admin.may(Permission::FollowUpCases(1)));
        assert!(!admin.may(Permission::AdministerPlatform));
        let counselor = staff(false, &[(1, Role::Counselor), (2, Role::OrgAdmin)]);
        assert!(counselor.may(Permission::FollowUpCases(1)));
        assert!(!counselor.may(Permission::FollowUpCases(2)));
        assert!(counselor.may(Permission::ManageOrganization(2)));
        assert!(staff(true, &[]).may(Permission::FollowUpCases(9)));
        assert!(!staff(true, &[]).may(Permission::ExportRawData(9)), "raw answers stay with the organization");
        assert!(admin.may(Permission::ExportRawData(1)));
        assert!(!counselor.may(Permission::ExportRawData(1)));
    }
}
