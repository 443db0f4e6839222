using Microsoft.AspNetCore.Mvc;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Tests.Http;

public sealed class RouteIdsTests
{
    [Theory]
    [InlineData("17850")]
    [InlineData("85123A")]
    [InlineData("user/#?with spaces")]
    [InlineData("ünïcödé-客户")]
    [InlineData("emoji-😀")]
    public void OrdinaryIdsPass(string id) => RouteIds.Check("userId", id).Should().BeNull();

    [Fact]
    public void AnIdOfExactlyTheMaximumLengthPasses() => RouteIds.Check("itemId", new string('x', RouteIds.MaxLength)).Should().BeNull();

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a\u0000b")]
    [InlineData("a\u007Fb")]
    [InlineData("tab\there")]
    public void EmptyIdsAndControlCharactersAre400(string id)
    {
        var problem = RouteIds.Check("userId", id);

        problem.Should().NotBeNull();
        problem!.StatusCode.Should().Be(400);
    }

    [Fact]
    public void LoneSurrogatesAre400()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate.
        RouteIds.Check("userId", "lone " + (char)0xD800 + " high").Should().NotBeNull();
        RouteIds.Check("userId", "lone " + (char)0xDC00 + " low").Should().NotBeNull();
        RouteIds.Check("userId", "cut " + "😀"[0]).Should().NotBeNull();
    }

    [Fact]
    public void TooLongIdsAre400EvenWhenOnlyTheirEncodingIsTooLong()
    {
        RouteIds.Check("userId", new string('x', RouteIds.MaxLength + 1)).Should().NotBeNull();
        // 100 characters, 300 bytes of UTF-8, 900 characters URI-encoded: longer than a storage key may be.
        RouteIds.Check("userId", new string('客', 100)).Should().NotBeNull();
    }

    [Fact]
    public void CheckAllNamesTheFirstBadValue() =>
        ((ProblemDetails)RouteIds.CheckAll("exclude", ["A", "B\u0001", ""])!.Value!).Detail.Should().Contain("control characters");
}
