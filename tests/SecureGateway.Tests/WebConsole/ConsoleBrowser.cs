using System.Net;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Reports;

namespace SecureGateway.Tests.WebConsole;

/// <summary>
/// A real browser on the console: Debian's headless <c>chromium</c> driven through Selenium WebDriver by Debian's
/// <c>chromedriver</c> (<c>.ci/run</c> installs both). Screenshots of whole pages go to the test output folder,
/// <c>console-screenshots/</c>, for a reviewer to look at.
/// </summary>
internal sealed class ConsoleBrowser : IDisposable
{
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    private readonly ChromeDriver driver;
    private readonly string baseUrl;

    private ConsoleBrowser(ChromeDriver driver, string baseUrl)
    {
        this.driver = driver;
        this.baseUrl = baseUrl;
    }

    public IWebDriver Driver => driver;

    /// <summary>The path and query of the page the browser shows.</summary>
    public string CurrentPath => new Uri(driver.Url).PathAndQuery;

    public static ConsoleBrowser Open(string baseUrl)
    {
        var chromedriver = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "chromedriver"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromedriver is not installed: apt-get install chromium-driver (.ci/run installs it)");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = HeadlessChromium.Executable };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,1000", $"--user-data-dir={TempDirectory.Create("console-browser")}");
        return new ConsoleBrowser(new ChromeDriver(service, options, TimeSpan.FromMinutes(2)), baseUrl.TrimEnd('/'));
    }

    public void Go(string path) => driver.Navigate().GoToUrl(baseUrl + path);

    public IWebElement Find(string css)
    {
        try
        {
            return driver.FindElement(By.CssSelector(css));
        }
        catch (NoSuchElementException e)
        {
            throw new InvalidOperationException($"no {css} on {driver.Url}:\n{driver.PageSource}", e);
        }
    }

    public IReadOnlyList<IWebElement> FindAll(string css) => driver.FindElements(By.CssSelector(css));

    public string Text(string css) => Find(css).Text;

    public void Type(string css, string text)
    {
        var field = Find(css);
        field.Clear();
        field.SendKeys(text);
    }

    /// <summary>Clicks something that does not leave the page (a checkbox).</summary>
    public void Click(string css) => Find(css).Click();

    /// <summary>
    /// Clicks a button or link that loads another page, and waits until that page has loaded: the old page's elements
    /// gone stale and the new document complete, so nothing is looked for on a page half-replaced.
    /// </summary>
    public void Navigate(string css) => NavigateBy(Find(css));

    public void NavigateBy(IWebElement element)
    {
        // A mark on the old document's window: the new document's window does not carry it.
        driver.ExecuteScript("window.sgwOldPage = true");
        element.Click();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((bool)driver.ExecuteScript("return window.sgwOldPage === true || document.readyState !== 'complete'")!)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"no new page loaded within 30 s of the click; still on {driver.Url}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Signs in on the sign-in page with <paramref name="token"/>; lands on the overview (or the page asked for).</summary>
    public void SignIn(string token, string? page = null)
    {
        Go(page ?? "/console");
        Type("#token", token);
        Navigate("#sign-in");
    }

    /// <summary>From now on the pages are laid out as on a phone 390 CSS pixels wide.</summary>
    public void EmulatePhone() => driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
    {
        ["width"] = 390, ["height"] = 844, ["deviceScaleFactor"] = 1, ["mobile"] = true,
    });

    /// <summary>The page is no wider than the window: only tables and code blocks scroll sideways, inside their boxes.</summary>
    public bool FitsWidth() => (bool)driver.ExecuteScript("return document.documentElement.scrollWidth <= window.innerWidth")!;

    /// <summary>The browser's cookies for the console, for a hand-made request in the same session (a forged form).</summary>
    public CookieContainer Cookies()
    {
        var jar = new CookieContainer();
        foreach (var cookie in driver.Manage().Cookies.AllCookies)
        {
            jar.Add(new Uri(baseUrl), new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return jar;
    }

    /// <summary>The antiforgery token of the first form on the page, as a script on the page could read it.</summary>
    public string FormToken() => Find("input[name=__RequestVerificationToken]").GetAttribute("value")!;

    /// <summary>The whole page, not only the window, as PNG under <see cref="ScreenshotDirectory"/>; returns the file.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var metrics = driver.ExecuteCdpCommand("Page.getLayoutMetrics", []) as Dictionary<string, object>;
        var size = (Dictionary<string, object>)metrics!["cssContentSize"];
        var clip = new Dictionary<string, object?>
        {
            ["x"] = 0, ["y"] = 0, ["width"] = Convert.ToDouble(size["width"], System.Globalization.CultureInfo.InvariantCulture),
            ["height"] = Math.Min(12000, Convert.ToDouble(size["height"], System.Globalization.CultureInfo.InvariantCulture)), ["scale"] = 1,
        };
        var shot = (Dictionary<string, object>?)driver.ExecuteCdpCommand("Page.captureScreenshot", new Dictionary<string, object?>
        {
            ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip,
        });
        var file = Path.Combine(ScreenshotDirectory, name + ".png");
        File.WriteAllBytes(file, Convert.FromBase64String((string)shot!["data"]));
        return file;
    }

    public void Dispose()
    {
        driver.Quit();
        driver.Dispose();
    }
}
