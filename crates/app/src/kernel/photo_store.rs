//! Where photo bytes live: in the database (the default, backed up with everything else) or in an
//! S3-compatible object store (MinIO, a cloud's object storage) for deployments whose photos would
//! swell the database. Either way every instance behind a balancer reaches every photo.

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use uuid::Uuid;

use crate::{AppError, AppResult};

/// How to reach an S3-compatible bucket.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    /// Endpoint URL, e.g. `https://oss-cn-hangzhou.aliyuncs.com` or `http://127.0.0.1:9000`; empty: AWS.
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Region (many S3-compatible servers accept any, e.g. `us-east-1`).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
}

/// The photo bytes' home.
#[derive(Debug, Clone, Default)]
pub enum PhotoStore {
    /// In `photos.content`.
    #[default]
    Database,
    /// In a bucket, under `photos/{id}`.
    S3(Arc<dyn ObjectStore>),
}

impl PhotoStore {
    /// A bucket store; plain `http://` endpoints are allowed (a MinIO on the same private network).
    pub fn s3(s: &S3Settings) -> Result<PhotoStore, String> {
        if s.bucket.trim().is_empty() {
            return Err("WUSHE_S3_BUCKET must be set for the S3 photo store / 使用 S3 存储照片须配置 WUSHE_S3_BUCKET".into());
        }
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(s.bucket.trim())
            .with_region(if s.region.trim().is_empty() {
                "us-east-1"
            } else {
                s.region.trim()
            })
            .with_access_key_id(s.access_key_id.trim())
            .with_secret_access_key(s.secret_access_key.trim());
        if !s.endpoint.trim().is_empty() {
            b = b
                .with_endpoint(s.endpoint.trim())
                .with_allow_http(s.endpoint.trim().starts_with("http://"));
        }
        b.build()
            .map(|store| PhotoStore::S3(Arc::new(store)))
            .map_err(|e| format!("S3 photo store: {e} / S3 照片存储配置有误"))
    }

    /// The bytes to keep in the database: all of them, or none when they went to the bucket.
    pub async fn put(&self, id: Uuid, bytes: &[u8]) -> AppResult<Option<Vec<u8>>> {
        match self {
            PhotoStore::Database => Ok(Some(bytes.to_vec())),
            PhotoStore::S3(store) => {
                store
                    .put(&key(id), PutPayload::from(bytes.to_vec()))
                    .await
                    .map_err(|e| {
                        AppError::Internal(format!("storing a photo in the bucket: {e}"))
                    })?;
                Ok(None)
            }
        }
    }

    /// A photo's bytes from the bucket; `None` when there is no bucket or the photo is not in it.
    pub async fn get(&self, id: Uuid) -> AppResult<Option<Vec<u8>>> {
        let PhotoStore::S3(store) = self else {
            return Ok(None);
        };
        match store.get(&key(id)).await {
            Ok(r) => Ok(Some(
                r.bytes()
                    .await
                    .map_err(|e| {
                        AppError::Internal(format!("reading a photo from the bucket: {e}"))
                    })?
                    .to_vec(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(AppError::Internal(format!(
                "reading a photo from the bucket: {e}"
            ))),
        }
    }

    /// Checks at start that the bucket can be listed, so a wrong endpoint, bucket or key stops the
    /// server with a message instead of failing the first upload.
    pub async fn check(&self) -> Result<(), String> {
        let PhotoStore::S3(store) = self else {
            return Ok(());
        };
        store
            .list_with_delimiter(Some(&Path::from("photos")))
            .await
            .map(|_| ())
            .map_err(|e| format!("the S3 photo store does not answer: {e} / S3 照片存储无法访问"))
    }
}

fn key(id: Uuid) -> Path {
    Path::from(format!("photos/{id}"))
}
