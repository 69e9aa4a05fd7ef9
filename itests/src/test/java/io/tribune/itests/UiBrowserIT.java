package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: {@code bin/tribune agent -dev -ui} on 127.0.26.1, driven with
 * Debian's Chromium (headless) through Debian's chromedriver, both named explicitly so Selenium
 * Manager never downloads anything. Lists services, opens the one with a failing check and reads
 * its output, then creates a key in a folder, edits it, is refused a stale edit, and deletes it,
 * checking each time what the page shows and what the HTTP API holds. Screenshots go to
 * {@code target/ui-screenshots/}. Skipped (an assumption) when Chromium or chromedriver is missing.
 *
 * <p>Waits are conditions with a generous bound, never sleeps; nothing is asserted about time.
 */
@Timeout(300)
class UiBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String HOST = "127.0.26.1";
    /** The failing check's output: the test looks for exactly this text in the page. */
    static final String FAILURE = "ledger unreachable: UI-IT-7f3a";
    static final Path SHOTS = Path.of("target/ui-screenshots");

    @Test
    void servicesChecksAndKeyValueEditingInChromium() throws Exception {
        assumeChromium();
        int http = freePort();
        Path profile = Files.createTempDirectory("tribune-ui-it-chromium-");
        try (AgentProcess agent = startAgent(http, "ui-it")) {
            agent.awaitLeader(Duration.ofSeconds(90));
            registerServices(agent);
            WebDriver driver = chromium(profile);
            try {
                browse(driver, agent, "http://" + HOST + ":" + http);
            } finally {
                driver.quit();
            }
            assertEquals(0, agent.terminate(Duration.ofSeconds(30)), agent.output());
        } finally {
            deleteTree(profile);
        }
    }

    @Test
    void withAclsTheLoginBoxTokenShowsServicesAndTheAclPages() throws Exception {
        assumeChromium();
        int http = freePort();
        Path profile = Files.createTempDirectory("tribune-ui-it-chromium-");
        Path config = Files.createTempFile("tribune-ui-it-acl-", ".json");
        String master = "ui-it-master-5d1c";
        Files.writeString(config, "{\"acl\": {\"enabled\": true, \"default_policy\": \"deny\", "
                + "\"tokens\": {\"master\": \"" + master + "\", \"agent\": \"" + master + "\"}}}");
        try (AgentProcess agent = startAgent(http, "ui-acl", "-config-file", config.toString())) {
            agent.awaitLeader(Duration.ofSeconds(90));
            WebDriver driver = chromium(profile);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                driver.get("http://" + HOST + ":" + http + "/ui/");
                // Anonymous under default deny: the catalog shows nothing, and the login box is offered.
                WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "No services."));
                shot(driver, "08-acl-anonymous");
                input.sendKeys(master);
                driver.findElement(By.id("login-button")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(
                        By.cssSelector("#services tr[data-service='consul']")));
                assertEquals(master, ((org.openqa.selenium.JavascriptExecutor) driver)
                        .executeScript("return localStorage.getItem('tribune.token')"));
                driver.findElement(By.linkText("ACL")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                        "#acl-tokens tr[data-accessor='00000000-0000-0000-0000-000000000002']")));
                shot(driver, "09-acl-tokens");
                driver.findElement(By.linkText("Policies")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                        "#acl-policies tr[data-policy='global-management']")));
                shot(driver, "10-acl-policies");
                // The token survives a reload (localStorage); logging out forgets it.
                driver.navigate().refresh();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                        "#acl-policies tr[data-policy='global-management']")));
                driver.findElement(By.id("logout")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "403"));
                assertEquals(null, ((org.openqa.selenium.JavascriptExecutor) driver)
                        .executeScript("return localStorage.getItem('tribune.token')"));
            } finally {
                driver.quit();
            }
            assertEquals(0, agent.terminate(Duration.ofSeconds(30)), agent.output());
        } finally {
            deleteTree(profile);
            Files.deleteIfExists(config);
        }
    }

    /** Skips the test (an assumption with the reason) without Chromium and chromedriver; makes the screenshot folder. */
    private static void assumeChromium() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium or chromedriver is missing (Debian: apt-get install chromium chromium-driver); "
                        + "the browser test is skipped");
        Files.createDirectories(SHOTS);
    }

    /** {@code bin/tribune agent -dev -ui} named {@code node}, everything on {@link #HOST}, DNS and gRPC off. */
    private static AgentProcess startAgent(int http, String node, String... more) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("agent", "-dev", "-ui", "-node", node, "-client", HOST,
                "-bind", HOST, "-http-port", Integer.toString(http), "-dns-port", "-1", "-grpc-port", "-1",
                "-server-port", Integer.toString(freePort())));
        args.addAll(List.of(more));
        return AgentProcess.startOn(HOST, http, args);
    }

    /** A passing service and one whose TTL check failed with {@link #FAILURE} as its output. */
    private static void registerServices(AgentProcess agent) throws Exception {
        put(agent, "/v1/agent/service/register", "{\"Name\": \"web\", \"ID\": \"web-1\", \"Port\": 8080, "
                + "\"Tags\": [\"v1\"], \"Check\": {\"CheckID\": \"web-ttl\", \"Name\": \"web heartbeat\", \"TTL\": \"10m\"}}");
        put(agent, "/v1/agent/check/pass/web-ttl?note=serving", "");
        put(agent, "/v1/agent/service/register", "{\"Name\": \"payments\", \"ID\": \"payments-1\", \"Port\": 9090, "
                + "\"Check\": {\"CheckID\": \"payments-ttl\", \"Name\": \"payments heartbeat\", \"TTL\": \"10m\"}}");
        put(agent, "/v1/agent/check/fail/payments-ttl?note=" + FAILURE.replace(" ", "%20"), "");
        // The local agent syncs its checks to the catalog, which the UI reads.
        assertTrue(agent.waitFor(Duration.ofSeconds(60), () -> body(agent, "/v1/health/service/payments")
                .contains(FAILURE) && body(agent, "/v1/health/service/web").contains("serving")),
                "the checks did not reach the catalog: " + body(agent, "/v1/health/service/payments"));
    }

    private void browse(WebDriver driver, AgentProcess agent, String base) throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));

        // "/" redirects to /ui/, which routes to the services of the local datacenter.
        driver.get(base + "/");
        WebElement payments = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#services tr[data-service='payments']")));
        assertTrue(driver.getCurrentUrl().endsWith("/ui/#/dc1/services"), driver.getCurrentUrl());
        assertEquals("✗ 1", payments.findElement(By.cssSelector(".badge.critical")).getText());
        WebElement web = driver.findElement(By.cssSelector("#services tr[data-service='web']"));
        // Its own check and the node's serfHealth: node checks count for every instance on the node, as in Consul.
        assertEquals("✓ 2", web.findElement(By.cssSelector(".badge.passing")).getText());
        assertEquals("✗ 0", web.findElement(By.cssSelector(".badge.critical")).getText());
        assertTrue(driver.findElements(By.id("dc-select")).isEmpty(), "one datacenter: no switcher");
        assertEquals(List.of("Services", "Nodes", "Key/Value"), driver.findElements(By.cssSelector("#nav a")).stream()
                .map(WebElement::getText).toList(), "no ACLs: no ACL link");
        assertEquals("", driver.findElement(By.id("nav")).getText().replaceAll("Services|Nodes|Key/Value|\\s", ""),
                "nothing but the links in the navigation");
        assertTrue(driver.findElements(By.id("token-input")).isEmpty(), "no ACLs: no login box");
        shot(driver, "01-services");

        // One service: its instance and the failing check with its output.
        payments.findElement(By.linkText("payments")).click();
        WebElement check = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("article[data-instance='payments-1'] tr[data-check='payments-ttl']")));
        assertEquals(FAILURE, check.findElement(By.cssSelector("pre.output")).getText());
        assertEquals("critical", check.findElement(By.cssSelector(".badge")).getText());
        shot(driver, "02-service-failing-check");

        // Nodes: the agent's node with its checks.
        driver.findElement(By.linkText("Nodes")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#nodes tr[data-node='ui-it']")));
        shot(driver, "03-nodes");

        // Key/value: create a folder, then a key inside it.
        driver.findElement(By.linkText("Key/Value")).click();
        create(driver, wait, "app/", "");
        wait.until(ExpectedConditions.urlContains("#/dc1/kv/app/"));
        create(driver, wait, "greeting", "hello from the UI");
        WebElement key = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#kv-list li[data-key='app/greeting'] a")));
        assertEquals("hello from the UI", raw(agent, "app/greeting"));
        assertEquals(200, agent.get("/v1/kv/app/").statusCode(), "the folder is a key of its own, as in Consul");
        shot(driver, "04-kv-key-created");

        // Edit the value and flags.
        key.click();
        WebElement value = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kv-value")));
        assertEquals("hello from the UI", value.getAttribute("value"));
        value.clear();
        value.sendKeys("edited in the browser");
        WebElement flags = driver.findElement(By.id("kv-flags"));
        flags.clear();
        flags.sendKeys("7");
        driver.findElement(By.id("kv-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kv-message"), "Saved."));
        assertEquals("edited in the browser", raw(agent, "app/greeting"));
        assertEquals(7, entry(agent, "app/greeting").get("Flags").getAsLong());
        shot(driver, "05-kv-key-edited");

        // Someone else changes the key: the page's edit (CAS on the ModifyIndex it loaded) is refused.
        put(agent, "/v1/kv/app/greeting", "changed elsewhere");
        value = driver.findElement(By.id("kv-value"));
        value.clear();
        value.sendKeys("stale edit");
        driver.findElement(By.id("kv-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kv-message"),
                "was changed by someone else"));
        assertEquals("changed elsewhere", raw(agent, "app/greeting"));
        shot(driver, "06-kv-concurrent-edit-refused");

        // A reload of this page works from the static files (hash routing) and shows the current value.
        driver.navigate().refresh();
        wait.until(ExpectedConditions.attributeToBe(By.id("kv-value"), "value", "changed elsewhere"));

        // Delete: back to the folder, and the key is gone from the API.
        driver.findElement(By.id("kv-delete")).click();
        wait.until(ExpectedConditions.urlMatches("#/dc1/kv/app/$"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "No keys here."));
        assertTrue(driver.findElements(By.cssSelector("li[data-key='app/greeting']")).isEmpty());
        assertEquals(404, agent.get("/v1/kv/app/greeting").statusCode());
        shot(driver, "07-kv-key-deleted");
    }

    /** Fills the create form of the open KV folder and submits it. */
    private static void create(WebDriver driver, WebDriverWait wait, String name, String value) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kv-new-name")));
        input.sendKeys(name);
        driver.findElement(By.id("kv-new-value")).sendKeys(value);
        driver.findElement(By.id("kv-create-button")).click();
    }

    private static WebDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium dials out, which this closed network refuses.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
    }

    private static void shot(WebDriver driver, String name) throws IOException {
        File f = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void put(AgentProcess agent, String path, String body) throws Exception {
        HttpResponse<String> r = agent.send("PUT", path, body);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
    }

    private static String body(AgentProcess agent, String path) {
        try {
            return agent.get(path).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String raw(AgentProcess agent, String key) throws Exception {
        HttpResponse<String> r = agent.get("/v1/kv/" + key + "?raw");
        assertEquals(200, r.statusCode(), key + ": " + r.body());
        return r.body();
    }

    private static JsonObject entry(AgentProcess agent, String key) throws Exception {
        return JsonParser.parseString(agent.get("/v1/kv/" + key).body()).getAsJsonArray().get(0).getAsJsonObject();
    }

    /** A free TCP port on {@link #HOST}, this test's loopback address (closed before returning). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
