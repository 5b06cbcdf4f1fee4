namespace SecureGateway.Core.Tests.Verification;

/// <summary>
/// A module zip made by the go command itself (Go 1.19): a local git repository tagged v1.0.0 holding go.mod
/// ("module example.com/hello.git\n\ngo 1.19\n"), hello.go, sub/sub.go and LICENSE, fetched with
/// <c>GOPROXY=direct GOSUMDB=off go mod download -json example.com/hello.git@v1.0.0</c> (the repository URL
/// rewritten with git's insteadOf). The hashes are the Sum and GoModSum fields of that command's output.
/// </summary>
internal static class GoCommandZip
{
    public const string ModulePath = "example.com/hello.git";
    public const string Version = "v1.0.0";
    public const string Sum = "h1:e2JPeu3rJNwgXkkV1RH5DeQbCWV3mgPhzre3zlpyLKM=";
    public const string GoModSum = "h1:Cz7JTUmXec9XOmMhPbR++uadewrkHcEZCtv0SJK6Hjw=";
    public const string GoMod = "module example.com/hello.git\n\ngo 1.19\n";

    public static readonly byte[] Bytes = Convert.FromBase64String(
        "UEsDBBQACAAIAAAAAAAAAAAAAAAAAAAAAAAkAAAAZXhhbXBsZS5jb20vaGVsbG8uZ2l0QHYxLjAuMC9MSUNFTlNFcq1IzC3ISVXIyUxOzStOVShJrSjR4wIEAAD//1BLBwiTGyoBHAAAABYAAABQSwMEFAAIAAgAAAAAAAAAAAAAAAAAAAAAACMAAABleGFtcGxlLmNvbS9oZWxsby5naXRAdjEuMC4wL2dvLm1vZMrNTynNSVVIrUjMLchJ1UvOz9XPSM3JyddLzyzh4krPVzDUM7TkAgQAAP//UEsHCHbgNWcsAAAAJgAAAFBLAwQUAAgACAAAAAAAAAAAAAAAAAAAAAAAJQAAAGV4YW1wbGUuY29tL2hlbGxvLmdpdEB2MS4wLjAvaGVsbG8uZ28qSEzOTkxPVchIzcnJ5+LS11fwALEU0otSU0uK9bjSSvOSIUIamgrFJUWZeekK1QpFqSWlRXkKSmBdOgrl+UU5KUoKtVyAAAAA//9QSwcIUVQhPUsAAABOAAAAUEsDBBQACAAIAAAAAAAAAAAAAAAAAAAAAAAnAAAAZXhhbXBsZS5jb20vaGVsbG8uZ2l0QHYxLjAuMC9zdWIvc3ViLmdvKkhMzk5MT1UoLk3iAgQAAP//UEsHCDiIJX0SAAAADAAAAFBLAQIUABQACAAIAAAAAACTGyoBHAAAABYAAAAkAAAAAAAAAAAAAAAAAAAAAABleGFtcGxlLmNvbS9oZWxsby5naXRAdjEuMC4wL0xJQ0VOU0VQSwECFAAUAAgACAAAAAAAduA1ZywAAAAmAAAAIwAAAAAAAAAAAAAAAABuAAAAZXhhbXBsZS5jb20vaGVsbG8uZ2l0QHYxLjAuMC9nby5tb2RQSwECFAAUAAgACAAAAAAAUVQhPUsAAABOAAAAJQAAAAAAAAAAAAAAAADrAAAAZXhhbXBsZS5jb20vaGVsbG8uZ2l0QHYxLjAuMC9oZWxsby5nb1BLAQIUABQACAAIAAAAAAA4iCV9EgAAAAwAAAAnAAAAAAAAAAAAAAAAAIkBAABleGFtcGxlLmNvbS9oZWxsby5naXRAdjEuMC4wL3N1Yi9zdWIuZ29QSwUGAAAAAAQABABLAQAA8AEAAAAA");
}
