package kvs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import kvs.proto.ChaveValor;
import kvs.testing.MosquittoBroker;
import kvs.testing.TestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's headless Chromium, driven by Selenium through
 * Debian's chromedriver (never a downloaded one), against three real servers with HTTP ports. Each
 * test leaves a screenshot in {@code target/}.
 */
@Timeout(120)
class ConsoleBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Path TARGET = Path.of("target");
  private static final String INSTALL_HINT =
      "; run scripts/install-browser.sh (it installs Debian's chromium and chromium-driver)";

  /**
   * Selenium warns that it has no DevTools classes for this Chromium's version: none are needed
   * (the test speaks WebDriver), so the warning is off. Held here, as the JDK's loggers are weak.
   */
  private static final Logger CDP_VERSION_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_FINDER.setLevel(Level.OFF);
  }

  private static MosquittoBroker broker;
  private static TestCluster cluster;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() {
    Path chromium =
        firstExecutable("chromium", "chromium-browser")
            .orElseGet(() -> fail("no Chromium browser (chromium) on the PATH" + INSTALL_HINT));
    Path chromedriver =
        firstExecutable("chromedriver")
            .orElseGet(() -> fail("no chromedriver on the PATH" + INSTALL_HINT));
    broker = MosquittoBroker.start();
    cluster = TestCluster.start(broker, 3, b -> b.httpPort(0));
    // A few keys besides the test's own, as a console usually shows.
    for (String name : List.of("alpha", "bravo", "charlie", "delta")) {
      cluster
          .blocking(0)
          .insere(ChaveValor.newBuilder().setChave("demo-" + name).setValor(name + "!").build());
    }
    browser = startBrowser(chromium, chromedriver);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** What the browser showed when the test ended, passed or failed. */
  @AfterEach
  void screenshot(TestInfo test) {
    if (browser != null) {
      saveScreenshot("console-" + test.getTestMethod().orElseThrow().getName() + ".png");
    }
  }

  @Test
  void aVersionRemovedOnOneServerIsGoneOnAnother() throws Exception {
    open(0);
    waitForText(By.id("cluster-summary"), "3 servers agree");
    List<WebElement> servers = browser.findElements(By.cssSelector("#servers tbody tr"));
    assertEquals(3, servers.size());
    for (int i = 0; i < 3; i++) {
      String row = serverRow(cluster.server(i).serverId()).getText();
      assertTrue(row.contains(i == 0 ? "this server" : "same data"), row);
      assertTrue(row.contains("yes"), "caught up: " + row);
    }
    assertEquals("connected", cells(serverRow(cluster.server(0).serverId())).get(6), "broker");

    String key = "console-key";
    for (int v = 1; v <= 3; v++) {
      insert(key, "valor" + v);
      waitForText(By.id("insert-result"), "Inserted " + key + ": version " + v + ".");
    }
    waitFor(
        "the history of " + key + " with versions 3, 2, 1",
        d -> historyVersions().equals(List.of("3", "2", "1")));
    assertEquals("valor1", versionRow("1").findElement(By.cssSelector(".value")).getText());
    assertEquals(key, text(By.id("history-key")));
    waitFor(
        key + " in the key list at version 3 with valor3",
        d ->
            keyRow(key)
                .map(ConsoleBrowserIT::cells)
                .filter(c -> c.get(1).equals("3") && c.get(2).equals("valor3")));

    click(By.cssSelector("button[aria-label='Remove version 1 of " + key + "']"));
    waitForText(By.id("history-result"), "Removed version 1 of " + key + ".");
    waitFor("version 1 gone from the history", d -> historyVersions().equals(List.of("3", "2")));
    waitForText(By.id("cluster-summary"), "3 servers agree");
    browser.executeScript("window.scrollTo(0, 0)");
    saveScreenshot("console-cluster.png");

    open(1);
    waitForText(By.id("cluster-summary"), "3 servers agree");
    WebElement prefix = browser.findElement(By.id("prefix"));
    prefix.sendKeys("console-", Keys.ENTER); // the search form by keyboard
    waitFor("only " + key + " listed", d -> keyRows().size() == 1 && keyRow(key).isPresent());
    click(By.cssSelector("button[aria-label='History of " + key + "']"));
    waitFor(
        "server B's history of " + key + " without version 1",
        d -> historyVersions().equals(List.of("3", "2")));

    click(By.id("remove-all"));
    waitForText(By.id("confirm-text"), "Remove all 2 versions of " + key + "?");
    click(By.id("confirm-remove-all-yes"));
    waitForText(By.id("history-note"), "No live version");
    waitForText(By.id("key-page"), "No key starting with “console-”.");
    HttpClient http = HttpClient.newHttpClient();
    URI onA = URI.create(base(0) + "/v1/kv/" + key);
    waitFor(
        "every version of " + key + " gone on server A",
        d -> {
          try {
            return http.send(HttpRequest.newBuilder(onA).build(), BodyHandlers.discarding())
                    .statusCode()
                == 404;
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void theConsoleFollowsTheServersWatchStreamAndShowsAChangeMadeElsewhere() {
    open(0);
    waitForText(By.id("connection"), "changes as they are applied");
    waitFor("the console's watch stream open on server A", d -> cluster.server(0).watchers() >= 1);
    String key = "watched-" + System.nanoTime();
    cluster.blocking(2).insere(ChaveValor.newBuilder().setChave(key).setValor("from C").build());
    waitFor(
        key + " listed on server A's console",
        d -> keyRow(key).map(ConsoleBrowserIT::cells).filter(c -> c.get(2).equals("from C")));
  }

  @Test
  void theKeyListPagesThroughAPrefix() {
    for (int i = 1; i <= 25; i++) {
      cluster
          .blocking(2)
          .insere(
              ChaveValor.newBuilder()
                  .setChave(String.format("page-%02d", i))
                  .setValor("valor" + i)
                  .build());
    }
    open(2);
    browser.findElement(By.id("prefix")).sendKeys("page-");
    click(By.cssSelector("#search-form button[type='submit']"));
    waitForText(By.id("key-page"), "Keys 1–20 starting with “page-”, more on the next page.");
    assertEquals("page-01", keyRows().get(0).getAttribute("data-key"));
    assertTrue(browser.findElement(By.id("next-page")).isEnabled());
    assertFalse(browser.findElement(By.id("previous-page")).isEnabled());
    click(By.id("next-page"));
    waitForText(By.id("key-page"), "Keys 21–25 starting with “page-”.");
    assertEquals(
        List.of("page-21", "page-22", "page-23", "page-24", "page-25"),
        keyRows().stream().map(r -> r.getAttribute("data-key")).toList());
    assertFalse(browser.findElement(By.id("next-page")).isEnabled());
    click(By.id("previous-page"));
    waitForText(By.id("key-page"), "Keys 1–20");
  }

  @Test
  void aServerThatCannotAnswerIsSaidSoPlainly() throws Exception {
    // No broker where this one looks: it never catches up, so the key API answers 503.
    KvsServer alone =
        KvsServer.builder(
                TestCluster.config("alone", "tcp://127.0.0.1:" + MosquittoBroker.freePort(), "t")
                    .httpPort(0)
                    .catchUpWait(Duration.ofMillis(300))
                    .build())
            .build()
            .start();
    try {
      browser.get("http://127.0.0.1:" + alone.httpPort() + "/");
      waitForText(By.id("cluster-summary"), "NOT connected to the broker");
      assertTrue(serverRow("alone").getText().contains("no, catching up"));
      waitForText(By.cssSelector("#problem[role='alert']"), "catching up");
      insert("some-key", "some-value");
      waitForText(By.id("problem"), "Insert: the server is catching up");
      assertTrue(text(By.id("problem")).contains("503 CATCHING_UP"), text(By.id("problem")));
    } finally {
      alone.stop(Duration.ofSeconds(1));
    }
    waitForText(By.cssSelector("#problem[role='alert']"), "Server unreachable");
    waitForText(By.id("connection"), "Unreachable.");
  }

  @Test
  void aTooShortKeyIsRefusedAtTheFieldAndNothingIsSent() {
    open(2);
    insert("ab", "valor1");
    waitForText(By.id("problem"), "at least 3 characters");
    assertEquals("true", browser.findElement(By.id("insert-key")).getAttribute("aria-invalid"));
    assertEquals("insert-key", browser.switchTo().activeElement().getAttribute("id"));
  }

  // --- the page ---------------------------------------------------------------------------------

  private static String base(int server) {
    return "http://127.0.0.1:" + cluster.server(server).httpPort();
  }

  private static void open(int server) {
    browser.get(base(server) + "/");
    waitForText(By.id("connection"), "Live");
  }

  private static void insert(String key, String value) {
    WebElement keyField = browser.findElement(By.id("insert-key"));
    keyField.clear();
    keyField.sendKeys(key);
    WebElement valueField = browser.findElement(By.id("insert-value"));
    valueField.clear();
    valueField.sendKeys(value);
    browser.findElement(By.id("insert-button")).click();
  }

  private static WebElement serverRow(String serverId) {
    return browser.findElement(By.cssSelector("#servers tbody tr[data-server='" + serverId + "']"));
  }

  private static List<WebElement> keyRows() {
    return browser.findElements(By.cssSelector("#key-list tbody tr"));
  }

  private static Optional<WebElement> keyRow(String key) {
    return browser
        .findElements(By.cssSelector("#key-list tbody tr[data-key='" + key + "']"))
        .stream()
        .findFirst();
  }

  private static List<String> cells(WebElement row) {
    return row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
  }

  private static WebElement versionRow(String version) {
    return browser.findElement(
        By.cssSelector("#versions tbody tr[data-version='" + version + "']"));
  }

  /** The versions the history table lists, top to bottom. */
  private static List<String> historyVersions() {
    return browser.findElements(By.cssSelector("#versions tbody tr")).stream()
        .map(row -> row.getAttribute("data-version"))
        .toList();
  }

  private static String text(By by) {
    return browser.findElement(by).getText();
  }

  /** Clicks the element once it is there (the page may redraw it meanwhile). */
  private static void click(By by) {
    waitFor(
        "to click " + by,
        d -> {
          d.findElement(by).click();
          return true;
        });
  }

  private static void waitForText(By by, String part) {
    waitFor(
        "'" + part + "' in " + by + " (it shows '" + textOrNothing(by) + "')",
        d -> d.findElement(by).getText().contains(part));
  }

  private static String textOrNothing(By by) {
    return browser.findElements(by).stream().map(WebElement::getText).findFirst().orElse("");
  }

  private static <T> void waitFor(String what, Function<WebDriver, T> condition) {
    new WebDriverWait(browser, WAIT, Duration.ofMillis(50))
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> what)
        .until(
            d -> {
              T result = condition.apply(d);
              return result instanceof Optional<?> o ? o.isPresent() : result;
            });
  }

  private static void saveScreenshot(String name) {
    try {
      Files.createDirectories(TARGET);
      Files.copy(
          browser.getScreenshotAs(OutputType.FILE).toPath(),
          TARGET.resolve(name),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- the browser ------------------------------------------------------------------------------

  /**
   * Chromium headless with a 1200x800 window, through the given chromedriver: both paths are given,
   * so Selenium Manager never looks for (or downloads) a driver or a browser.
   */
  private static ChromeDriver startBrowser(Path chromium, Path chromedriver) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1200,1000",
        "--lang=en-US");
    try {
      Files.createDirectories(TARGET);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .withLogFile(TARGET.resolve("chromedriver.log").toFile())
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    // The page itself 1200x800, whatever room the headless window's frame takes.
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 1200, "height", 800, "deviceScaleFactor", 1, "mobile", false));
    return driver;
  }

  /** The first of {@code names} found as an executable on the PATH (Debian's /usr/bin first). */
  private static Optional<Path> firstExecutable(String... names) {
    String path = "/usr/bin" + File.pathSeparator + System.getenv().getOrDefault("PATH", "");
    return Stream.of(names)
        .flatMap(
            name ->
                Stream.of(path.split(File.pathSeparator))
                    .filter(dir -> !dir.isEmpty())
                    .map(dir -> Path.of(dir, name)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
