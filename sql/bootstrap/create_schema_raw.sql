create schema if not exists raw
