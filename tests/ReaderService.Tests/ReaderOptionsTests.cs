using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using Mrc.Reading.Inference;
using Mrc.Reading.Models;
using Mrc.Reader.Tests.Support;
using Mrc.Core.Pipeline;
using Mrc.Core.Text;
using System.ComponentModel.DataAnnotations;

namespace Mrc.Reader.Tests;

/// <summary>Settings validated at start, offsets in code points, a model folder loaded outside the server.</summary>
public class ReaderOptionsTests
{
    [Fact]
    public void Validate_Defaults_HaveNoProblem()
    {
        var options = new ReaderOptions();
        Assert.Empty(options.Validate(new ValidationContext(options)));
    }

    [Theory]
    [InlineData("Device", "gpu", "Reader:Device")]
    [InlineData("Precision", "int8", "Reader:Precision")]
    [InlineData("DocStride", "400", "DocStride")]
    [InlineData("DefaultNBest", "21", "DefaultNBest")]
    [InlineData("Uploads:Secret", "short", "Reader:Uploads:Secret")]
    [InlineData("Uploads:ExpiryHours", "0", "Reader:Uploads:ExpiryHours")]
    public async Task Start_WithInvalidSetting_FailsNamingIt(string key, string value, string message)
    {
        // The service's own composition (Program.cs) on a test server: starting it validates the options.
        // (WebApplicationFactory sometimes reports such a failed start as ObjectDisposedException instead.)
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration[$"Reader:{key}"] = value;
        builder.AddServiceDefaults();
        builder.AddReader();
        await using var app = builder.Build();
        app.MapReader();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToCodePoints_AfterAnAstralCharacter_CountsItOnce()
    {
        const string text = "a😀b한";
        Assert.Equal(1, TextOffsets.ToCodePoints(text, 1));
        Assert.Equal(2, TextOffsets.ToCodePoints(text, 3));
        Assert.Equal(4, TextOffsets.ToCodePoints(text, 5));
    }

    [Fact]
    public async Task ReaderFactory_LoadsAFolderAndReads()
    {
        using var folder = new TempFolder();
        TinyModels.WriteModelFolder(folder.Path, TinyModels.CharacterVocabulary(TinyModelRepository.Context, TinyModelRepository.Question), modelType: "electra");

        await using var reader = ReaderFactory.Load(folder.Path, device: "cpu");
        var answers = await reader.Engine.ReadAsync(TinyModelRepository.Question, [new PassageInput("p", TinyModelRepository.Context)], new ReadSettings(), CancellationToken.None);

        Assert.Equal("electra", reader.Config.ModelType);
        Assert.Empty(reader.Report.Unexpected);
        Assert.Equal(5, answers.Count);
        Assert.All(answers, a => Assert.Equal(TinyModelRepository.Context[a.StartChar..a.EndChar], a.Text));
    }
}
