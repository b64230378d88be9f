//! `/v2/vectordb/partitions/*` (contract §4.3, §6.3). `partitions/release` is the route the project started from.

use super::collections::CollectionNameReq;
use crate::catalog::Catalog;
use crate::envelope::{MilvusRequest, Reply};
use crate::error::Result;
use crate::gojson::{GoObject, Required};

/// `partitions/create|drop|has|get_stats`: one partition.
pub struct PartitionReq {
    pub db_name: String,
    pub collection_name: String,
    pub partition_name: String,
}

impl MilvusRequest for PartitionReq {
    const GO_TYPE: &'static str = "httpserver.PartitionReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            partition_name: o.string("partitionName"),
        }
    }
    fn required(&self, r: &mut Required) {
        r.check("PartitionReq", "CollectionName", !self.collection_name.is_empty());
        r.check("PartitionReq", "PartitionName", !self.partition_name.is_empty());
    }
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

/// `partitions/load|release`: a list of partitions. A missing or `null` list is 1802; `[]` passes binding.
pub struct PartitionsReq {
    pub db_name: String,
    pub collection_name: String,
    pub partition_names: Option<Vec<String>>,
}

impl MilvusRequest for PartitionsReq {
    const GO_TYPE: &'static str = "httpserver.PartitionsReq";
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            partition_names: o.strings("partitionNames"),
        }
    }
    fn required(&self, r: &mut Required) {
        r.check("PartitionsReq", "CollectionName", !self.collection_name.is_empty());
        r.check("PartitionsReq", "PartitionNames", self.partition_names.is_some());
    }
    fn db_name(&self) -> &str {
        &self.db_name
    }
}

pub fn create_partition(catalog: &Catalog, db: &str, req: PartitionReq) -> Result<Reply> {
    catalog.create_partition(db, &req.collection_name, &req.partition_name)?;
    Ok(Reply::Empty)
}

pub fn drop_partition(catalog: &Catalog, db: &str, req: PartitionReq) -> Result<Reply> {
    catalog.drop_partition(db, &req.collection_name, &req.partition_name)?;
    Ok(Reply::Empty)
}

pub fn has_partition(catalog: &Catalog, db: &str, req: PartitionReq) -> Result<Reply> {
    Ok(Reply::Has(catalog.has_partition(db, &req.collection_name, &req.partition_name)?))
}

pub fn list_partitions(catalog: &Catalog, db: &str, req: CollectionNameReq) -> Result<Reply> {
    Ok(Reply::List(catalog.list_partitions(db, &req.collection_name)?))
}

pub fn get_partition_stats(catalog: &Catalog, db: &str, req: PartitionReq) -> Result<Reply> {
    Ok(Reply::RowCount(catalog.partition_row_count(db, &req.collection_name, &req.partition_name)?))
}

pub fn load_partitions(catalog: &Catalog, db: &str, req: PartitionsReq) -> Result<Reply> {
    catalog.load_partitions(db, &req.collection_name, &req.partition_names.unwrap_or_default())?;
    Ok(Reply::Empty)
}

pub fn release_partitions(catalog: &Catalog, db: &str, req: PartitionsReq) -> Result<Reply> {
    catalog.release_partitions(db, &req.collection_name, &req.partition_names.unwrap_or_default())?;
    Ok(Reply::Empty)
}
