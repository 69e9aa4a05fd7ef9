package io.tribune.http.internal;

/** A request failed with an HTTP status and a message for a person; nothing was changed. */
public class HttpError extends RuntimeException {
    private final int status;

    public HttpError(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** 400 Bad Request. */
    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    /** 404 Not Found. */
    public static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    /** 405 Method Not Allowed. */
    public static HttpError methodNotAllowed(String method, String path) {
        return new HttpError(405, "method " + method + " not allowed on " + path);
    }
}
