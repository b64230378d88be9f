//! `/v2/vectordb/partitions/*` (contract §4.3, §6.3). `partitions/release` is the route the project started from.

use super::collections::CollectionNameReq;
use crate::catalog::Catalog;
use crate::envelope::Reply;
use crate::error::Result;

request! {
    fast
    /// `partitions/create|drop|has|get_stats`: one partition.
    PartitionReq("PartitionReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        partition_name: String = string("partitionName"), required "PartitionName";
    }
}

request! {
    fast
    /// `partitions/load|release`: a list of partitions. A missing or `null` list is 1802; `[]` passes binding.
    PartitionsReq("PartitionsReq") db = db_name {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName"), required "CollectionName";
        partition_names: Option<Vec<String>> = strings("partitionNames"), required "PartitionNames";
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
