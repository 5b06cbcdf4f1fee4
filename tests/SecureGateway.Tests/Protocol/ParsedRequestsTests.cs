using SecureGateway.Protocol;

namespace SecureGateway.Tests.Protocol;

public sealed class ParsedRequestsTests
{
    [Theory]
    [InlineData("/example.com/m/@v/v1.0.0.zip")]
    [InlineData("/github.com/%21azure/sdk/@v/list")]
    [InlineData("/example.com/m/@latest")]
    public void Parse_AskedTwice_SameAnswerAsTheParser(string path)
    {
        var parsed = new ParsedRequests();

        var first = parsed.Parse(path, out var firstError);
        var second = parsed.Parse(path, out var secondError);

        Assert.Equal(ModuleRequest.Parse(path, out _), first);
        Assert.Same(first, second);
        Assert.Null(firstError);
        Assert.Null(secondError);
    }

    [Theory]
    [InlineData("/example.com/m/@v/v1.0.zip")]
    [InlineData("/example.com/../m/@v/v1.0.0.zip")]
    public void Parse_Malformed_RefusedEveryTime(string path)
    {
        var parsed = new ParsedRequests();

        Assert.Null(parsed.Parse(path, out var first));
        Assert.Null(parsed.Parse(path, out var second));
        Assert.NotNull(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Parse_MoreDistinctPathsThanCapacity_StillRight()
    {
        var parsed = new ParsedRequests();
        for (var i = 0; i <= ParsedRequests.Capacity + 1; i++)
        {
            parsed.Parse($"/example.com/m/@v/v1.0.{i}.info", out _);
        }

        Assert.Equal("v1.0.7", parsed.Parse("/example.com/m/@v/v1.0.7.info", out _)?.Version);
    }
}
