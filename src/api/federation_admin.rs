//! Admin endpoints for federation: the state of the outgoing delivery queue.

use axum::Json;
use axum::extract::State;

use super::auth::Authenticated;
use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::delivery::status::{self, QueueStatus};

/// `GET /api/v1/admin/federation/deliveries`: deliveries waiting, the oldest's age, and the
/// servers with a backlog or failing.
pub async fn deliveries(State(app): State<App>, auth: Authenticated) -> Result<Json<QueueStatus>> {
    if !auth.user.is_admin {
        return Err(Error::new(ErrorCode::Forbidden, "only admins may do this"));
    }
    Ok(Json(status::collect(&app).await?))
}
