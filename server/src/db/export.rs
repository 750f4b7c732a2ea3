//! The raw-data export: every submission of a campaign as one CSV line, streamed from
//! the database in chunks so that a million rows never sit in memory at once.

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use instruments::wire::Anonymity;

use super::Store;
use crate::campaign::Campaign;
use crate::config::Backend;

/// The CSV of a campaign's submissions as a stream of chunks. Respondent codes appear
/// only for coded campaigns (where the school holds the key); anonymous campaigns'
/// random codes are left out so lines cannot be matched with what a respondent shows.
pub fn responses_csv(store: Store, campaign: Campaign) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if let Err(err) = write(&store, &campaign, &tx).await {
            tracing::error!(error = format!("{err:#}"), "raw-data export failed");
            let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) })
}

fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

async fn write(
    store: &Store,
    campaign: &Campaign,
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> anyhow::Result<()> {
    let coded = campaign.anonymity == Anonymity::Coded;
    let mut out = String::from("\u{feff}day");
    if coded {
        out.push_str(",respondent_code");
    }
    for attribute in &campaign.cohort {
        out.push(',');
        field(&mut out, &attribute.id);
    }
    for d in &campaign.instruments {
        for item in &d.items {
            out.push(',');
            field(&mut out, &item.id);
        }
        out.push_str(&format!(",{0}_total,{0}_band", d.id));
    }
    out.push_str("\r\n");

    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions WHERE campaign_id = $1")
        .bind(campaign.id)
        .fetch_one(store.pool())
        .await?;
    let _ = tx.send(Ok(Bytes::from(std::mem::take(&mut out)))).await;
    if count == 0 {
        return Ok(());
    }
    // Ranges of respondent codes rendered by up to three tasks at once, sent on in
    // order: the database and the formatting use every core, and at most three ranges
    // are held.
    let ranges = code_ranges(count);
    let mut rendered = futures_util::stream::iter(ranges)
        .map(|(lo, hi)| tokio::spawn(render_range(store.clone(), campaign.clone(), lo, hi)))
        .buffered(3);
    while let Some(chunk) = rendered.next().await {
        let chunk = chunk.map_err(|e| anyhow::anyhow!("export task: {e}"))??;
        if tx.send(Ok(chunk)).await.is_err() {
            return Ok(()); // the client went away
        }
    }
    Ok(())
}

/// Submissions per rendered range, on average.
const RANGE: i64 = 8192;

/// Half-open ranges `[lo, hi)` of respondent codes covering every code, by the first
/// one or two characters: about [`RANGE`] submissions each, since codes are random.
///
/// Lines go out in the order of the respondent code, which is random, and never in
/// the order submissions arrived: ids follow arrival, and a flagged submission's case
/// keeps the second it was raised, so rows in id order would bracket the time of
/// every unflagged submission between two flagged ones.
fn code_ranges(count: i64) -> Vec<(String, String)> {
    let alphabet = crate::respondent_code::ALPHABET.iter().map(|b| char::from(*b));
    let prefixes: Vec<String> = if count <= 32 * RANGE {
        alphabet.map(String::from).collect()
    } else {
        alphabet
            .flat_map(|a| crate::respondent_code::ALPHABET.iter().map(move |b| format!("{a}{}", char::from(*b))))
            .collect()
    };
    // `~` sorts after every code character in byte order (the ranges compare bytes).
    prefixes.into_iter().map(|p| (p.clone(), format!("{p}~"))).collect()
}

/// The CSV lines of the campaign's submissions with respondent codes in `lo..hi`, as
/// one string the database builds itself (JSON answers picked apart, text quoted,
/// lines joined): a row per range instead of a row per submission, because the
/// driver's cost per row is what bounded the export.
async fn render_range(store: Store, campaign: Campaign, lo: String, hi: String) -> anyhow::Result<Bytes> {
    let sql = range_sql(&campaign, store.backend);
    let mut query = sqlx::query_scalar::<_, Option<String>>(&sql).bind(campaign.id).bind(lo).bind(hi);
    for attribute in &campaign.cohort {
        query = query.bind(&attribute.id);
    }
    let lines = query.fetch_one(store.pool()).await?;
    Ok(Bytes::from(lines.map(|l| l + "\r\n").unwrap_or_default()))
}

/// The query of [`render_range`] for one engine: `$1` campaign, `$2`–`$3` code range,
/// `$4…` cohort attribute ids.
fn range_sql(campaign: &Campaign, backend: Backend) -> String {
    let postgres = backend == Backend::Postgres;
    // Text quoted as a CSV field: every quote doubled, the whole in quotes.
    let quoted = |expr: &str| format!("('\"' || replace({expr}, '\"', '\"\"') || '\"')");
    let mut parts = vec!["s.submitted_on".to_owned()];
    if campaign.anonymity == Anonymity::Coded {
        parts.push(quoted("s.respondent_code"));
    }
    let mut joins = String::new();
    for (i, _) in campaign.cohort.iter().enumerate() {
        joins.push_str(&format!(
            " LEFT JOIN submission_cohort c{i} ON c{i}.submission_id = s.id AND c{i}.attribute = ${}",
            i + 4
        ));
        parts.push(format!("COALESCE({}, '')", quoted(&format!("c{i}.value"))));
    }
    for (position, d) in campaign.instruments.iter().enumerate() {
        joins.push_str(&format!(
            " LEFT JOIN results r{position} ON r{position}.submission_id = s.id AND r{position}.position = {position}"
        ));
        // The stored CSV fragment; results from before it existed are read from the JSON.
        let from_json = d
            .items
            .iter()
            .map(|item| {
                // Item ids are checked identifiers (letters, digits, `_`): safe inside a literal.
                let id = item.id.replace('\'', "");
                if postgres {
                    format!("COALESCE(r{position}.answers::json ->> '{id}', '')")
                } else {
                    format!("COALESCE(json_extract(r{position}.answers, '$.{id}'), '')")
                }
            })
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        parts.push(format!(
            "(CASE WHEN r{position}.answer_values IS NOT NULL THEN r{position}.answer_values \
             WHEN r{position}.answers IS NULL THEN '{}' ELSE {from_json} END)",
            ",".repeat(d.items.len().saturating_sub(1))
        ));
        // Totals written alike by both engines: whole numbers without a decimal point,
        // others rounded to 6 decimals without trailing zeros.
        let t = format!("r{position}.total");
        parts.push(if postgres {
            format!(
                "COALESCE(CASE WHEN {t} = trunc({t}) THEN trunc({t})::bigint::text \
                 ELSE trim_scale(round({t}::numeric, 6))::text END, '')"
            )
        } else {
            format!(
                "COALESCE(CASE WHEN {t} = CAST({t} AS INTEGER) THEN CAST(CAST({t} AS INTEGER) AS TEXT) \
                 ELSE CAST(round({t}, 6) AS TEXT) END, '')"
            )
        });
        parts.push(format!("COALESCE({}, '')", quoted(&format!("r{position}.band"))));
    }
    let line = parts.join(" || ',' || ");
    // Codes compared and ordered as bytes on both engines (SQLite's default; the "C"
    // collation on PostgreSQL, whose index `submissions_by_campaign_code` matches).
    // SQLite concatenates in the order of the subquery, which walks that index in code
    // order (no sort); an ORDER BY inside group_concat sorted every range again and
    // cost a third of the export. The privacy test checks the order on both engines.
    let (code, join_lines, inner_order) = if postgres {
        ("s.respondent_code COLLATE \"C\"", "string_agg(line, E'\\r\\n' ORDER BY code)", "")
    } else {
        ("s.respondent_code", "group_concat(line, char(13) || char(10))", " ORDER BY code")
    };
    format!(
        "SELECT {join_lines} FROM (SELECT {code} AS code, {line} AS line FROM submissions s{joins}
         WHERE s.campaign_id = $1 AND {code} >= $2 AND {code} < $3{inner_order}) lines"
    )
}
