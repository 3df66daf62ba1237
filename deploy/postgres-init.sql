-- One database per service, each owned by its own login role: a service can reach its own data
-- and nothing else (the other databases refuse it CONNECT).
--
-- Run once by the postgres image, on the first start with an empty data volume, as the
-- superuser through psql (so psql meta-commands work). Passwords come from the container's
-- environment (RIGHTS_DB_PASSWORD ...), see deploy/docker-compose.yml; changing them later
-- takes an ALTER ROLE, this script never runs again on an initialised volume.
-- The databases are left empty: `mineadmin migrate` (the compose `migrate` job) creates the
-- tables, connected as each database's owner.

\set ON_ERROR_STOP on

\getenv rights_password RIGHTS_DB_PASSWORD
\getenv restoration_password RESTORATION_DB_PASSWORD
\getenv greenmine_password GREENMINE_DB_PASSWORD
\getenv notifier_password NOTIFIER_DB_PASSWORD

-- Fail (and leave initialisation unfinished) rather than create a role without a password.
\if :{?rights_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'RIGHTS_DB_PASSWORD is not set'; END $$;
\endif
\if :{?restoration_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'RESTORATION_DB_PASSWORD is not set'; END $$;
\endif
\if :{?greenmine_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'GREENMINE_DB_PASSWORD is not set'; END $$;
\endif
\if :{?notifier_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'NOTIFIER_DB_PASSWORD is not set'; END $$;
\endif

CREATE ROLE rights LOGIN PASSWORD :'rights_password';
CREATE DATABASE rights OWNER rights;
REVOKE ALL ON DATABASE rights FROM PUBLIC;

CREATE ROLE restoration LOGIN PASSWORD :'restoration_password';
CREATE DATABASE restoration OWNER restoration;
REVOKE ALL ON DATABASE restoration FROM PUBLIC;

CREATE ROLE greenmine LOGIN PASSWORD :'greenmine_password';
CREATE DATABASE greenmine OWNER greenmine;
REVOKE ALL ON DATABASE greenmine FROM PUBLIC;

CREATE ROLE notifier LOGIN PASSWORD :'notifier_password';
CREATE DATABASE notifier OWNER notifier;
REVOKE ALL ON DATABASE notifier FROM PUBLIC;
