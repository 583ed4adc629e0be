//! The "hot" order: a score that decays with age, so a new post with a few votes can rise
//! above an old one with many.

use chrono::NaiveDateTime;

/// `log10(max(1, 3 + score)) / (hours + 2)^1.8`, scaled: the shape Lemmy and Reddit use.
/// The logarithm makes the first votes count most; the exponent makes a day-old post
/// need about forty times the votes of a new one to rank beside it.
pub fn hot_rank(score: i32, published: NaiveDateTime, now: NaiveDateTime) -> f64 {
    let hours = ((now - published).num_seconds().max(0) as f64) / 3600.0;
    let votes = f64::from((3 + score).max(1)).log10();
    10_000.0 * votes / (hours + 2.0).powf(1.8)
}

/// Posts older than this no longer move in "hot" noticeably; their rank is left as is.
const REFRESH_WINDOW: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// Recomputes the hot rank of recent posts: a rank is stored (so listings can be ordered
/// and paged in the database) and decays with time, so it is refreshed periodically.
pub async fn refresh(app: &crate::App) -> crate::Result<usize> {
    app.db
        .run(|c| {
            let now = crate::time::now();
            let recent = crate::db::posts::recent(c, now - REFRESH_WINDOW)?;
            for post in &recent {
                crate::db::posts::set_hot_rank(
                    c,
                    post.id,
                    hot_rank(post.score, post.published_at, now),
                )?;
            }
            Ok(recent.len())
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn newer_and_better_voted_posts_rank_higher() {
        let now = crate::time::now();
        let fresh = hot_rank(5, now, now);
        let old = hot_rank(5, now - TimeDelta::hours(24), now);
        let better = hot_rank(50, now, now);
        assert!(fresh > old);
        assert!(better > fresh);
        assert!(hot_rank(-100, now, now) >= 0.0);
    }
}
