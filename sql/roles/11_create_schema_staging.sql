create schema if not exists staging
