/**
 * `@bhyt/auth/testing`: the local stack's and the tests' credentials (a signing key, a client
 * registry and the clients' plain secrets, made in the state folder) and a client that fetches
 * tokens with them. Production mounts its own from secrets, so none of it is in the main index.
 */
export * from './dev-credentials';
