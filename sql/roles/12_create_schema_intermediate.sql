create schema if not exists intermediate
