/**
 * The Consul-compatible HTTP API of the agent ({@link io.tribune.http.HttpService}).
 */
package io.tribune.http;
