/**
 * The HTTP front end's parts: the Netty listener ({@link io.tribune.http.internal.HttpServer}), the
 * translation of Consul's parameters and headers ({@code Params}) and JSON shapes ({@code ConsulJson}),
 * the routes of each endpoint group, and the one table from the request layer's error kinds to HTTP
 * statuses ({@code Statuses}).
 */
package io.tribune.http.internal;
