using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy.Licences;

public sealed class LicenceTextTests
{
    [Fact]
    public void Words_CaseMarkupPunctuation_PlainWords() =>
        Assert.Equal(
            ["the", "software", "is", "provided", "as", "is", "see", "noninfringement", "partys", "version", "20"],
            LicenceText.Words("# The **Software**\n\nis PROVIDED \"AS IS\"; [see](https://example.com) non-infringement, party's Version 2.0."));

    [Theory]
    [InlineData("Copyright (c) 2024 Someone\n\nPermission is granted.")]
    [InlineData("  * Copyright 2009 The Go Authors. All rights reserved.\nPermission is granted.")]
    [InlineData("© Someone\nPermission is granted.")]
    [InlineData("(C) 1999-2004 Someone <someone@example.com>\nPermission is granted.")]
    [InlineData("Copyright (c) <year> <copyright holders>\nPermission is granted.")]
    [InlineData("Copyright (c) 2024 Someone Inc. Permission is granted.")]
    public void Words_CopyrightNotice_Dropped(string text) =>
        Assert.Equal(["permission", "is", "granted"], LicenceText.Words(text));

    [Fact]
    public void Words_SentenceStartingWithCopyright_Kept() =>
        Assert.Equal(["copyright", "owner", "or", "by", "an", "individual"], LicenceText.Words("copyright owner or by an individual"));

    [Fact]
    public void Words_BritishSpelling_AmericanForm() =>
        Assert.Equal(["granted", "license", "licensed", "organization"], LicenceText.Words("Granted.\nLicence licenced organisation"));

    [Theory]
    [InlineData("The MIT License (MIT)\n\nPermission is granted.")]
    [InlineData("ISC License:\n\nPermission is granted.")]
    [InlineData("\n  BSD 3-Clause License\nPermission is granted.")]
    public void Words_TitleLine_Dropped(string text) =>
        Assert.Equal(["permission", "is", "granted"], LicenceText.Words(text));

    [Fact]
    public void Words_BsdTemplateHolder_SpdxWording() =>
        Assert.Equal(
            LicenceText.Words("Neither the name of the copyright holder nor the names of its contributors may be used"),
            LicenceText.Words("Neither the name of Google Inc. nor the names of its\ncontributors may be used"));

    [Theory]
    [InlineData("Granted.\n\nEND OF TERMS AND CONDITIONS\n\nAPPENDIX: How to apply", 1)]
    [InlineData("Granted.\n\nNo appendix", 3)]
    public void EndOfTerms_Text_IndexOfEndLine(string text, int expected) =>
        Assert.Equal(expected, LicenceText.EndOfTerms(LicenceText.Words(text)));

    [Theory]
    [InlineData("either version 2 of the License, or (at your option) any later version.", 1)]
    [InlineData("version 3 or any later version", 1)]
    [InlineData("version 2 only", 0)]
    [InlineData("any later version", 0)]
    [InlineData("Terms.\nEND OF TERMS AND CONDITIONS\nHow to apply: either version 2, or (at your option) any later version.", 0)]
    public void CountLaterVersionGrants_Notice_Count(string text, int expected) =>
        Assert.Equal(expected, LicenceText.CountLaterVersionGrants(LicenceText.Words(text)));
}
