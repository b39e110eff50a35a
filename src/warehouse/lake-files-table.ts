/**
 * The lake files the warehouse's `lake.*` views were made of, one row per file (entity, date,
 * hour, format, path): written by the build with the views, read by explain to count against.
 */
export const LAKE_FILES_TABLE = '_lake_files';
