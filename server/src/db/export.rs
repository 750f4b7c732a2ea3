//! The raw-data export: every submission of a campaign as one CSV line, streamed from
//! the database in chunks so that a million rows never sit in memory at once.

use std::collections::BTreeMap;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use instruments::wire::Anonymity;
use sqlx::Row as _;

use super::Store;
use crate::campaign::Campaign;

/// One submission's results by instrument: answers, total, band.
type Results = BTreeMap<String, (BTreeMap<String, i64>, Option<f64>, Option<String>)>;

/// Bytes gathered before a chunk is sent on.
const CHUNK: usize = 64 * 1024;

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

    let mut sql =
        String::from("SELECT s.id, s.submitted_on, s.respondent_code, r.instrument, r.answers, r.total, r.band");
    for i in 0..campaign.cohort.len() {
        sql.push_str(&format!(
            ", (SELECT c.value FROM submission_cohort c WHERE c.submission_id = s.id AND c.attribute = ${})",
            i + 2
        ));
    }
    sql.push_str(" FROM submissions s JOIN results r ON r.submission_id = s.id WHERE s.campaign_id = $1 ORDER BY s.id, r.position");
    let mut query = sqlx::query(&sql).bind(campaign.id);
    for attribute in &campaign.cohort {
        query = query.bind(&attribute.id);
    }
    let mut rows = query.fetch(store.pool());
    let mut current: Option<i64> = None;
    let mut results: Results = BTreeMap::new();
    let mut head = String::new();
    let flush = |out: &mut String, head: &str, results: &Results| {
        out.push_str(head);
        for d in &campaign.instruments {
            let result = results.get(&d.id);
            for item in &d.items {
                out.push(',');
                if let Some(v) = result.and_then(|(answers, _, _)| answers.get(&item.id)) {
                    out.push_str(&v.to_string());
                }
            }
            out.push(',');
            if let Some(total) = result.and_then(|(_, t, _)| *t) {
                out.push_str(&total.to_string());
            }
            out.push(',');
            if let Some(band) = result.and_then(|(_, _, b)| b.as_deref()) {
                field(out, band);
            }
        }
        out.push_str("\r\n");
    };
    while let Some(row) = rows.next().await {
        let row = row?;
        let id: i64 = row.try_get(0)?;
        if current != Some(id) {
            if current.is_some() {
                flush(&mut out, &head, &results);
                results.clear();
                if out.len() >= CHUNK && tx.send(Ok(Bytes::from(std::mem::take(&mut out)))).await.is_err() {
                    return Ok(()); // the client went away
                }
            }
            current = Some(id);
            head.clear();
            let day: String = row.try_get(1)?;
            head.push_str(&day);
            if coded {
                let code: String = row.try_get(2)?;
                head.push(',');
                field(&mut head, &code);
            }
            for i in 0..campaign.cohort.len() {
                let value: Option<String> = row.try_get(7 + i)?;
                head.push(',');
                field(&mut head, value.as_deref().unwrap_or(""));
            }
        }
        let instrument: String = row.try_get(3)?;
        let answers: String = row.try_get(4)?;
        let total: Option<f64> = row.try_get(5)?;
        let band: Option<String> = row.try_get(6)?;
        results.insert(instrument, (serde_json::from_str(&answers)?, total, band));
    }
    if current.is_some() {
        flush(&mut out, &head, &results);
    }
    if !out.is_empty() {
        let _ = tx.send(Ok(Bytes::from(out))).await;
    }
    Ok(())
}
