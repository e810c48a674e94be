-- One database per service: no service reads another's tables.
CREATE DATABASE policy;
CREATE DATABASE publishing;
CREATE DATABASE notifications;
