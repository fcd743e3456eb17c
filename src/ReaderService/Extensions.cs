using Microsoft.Extensions.Options;
using Mrc.Reader.Models;

namespace Mrc.Reader;

public static class Extensions
{
    /// <summary>Reader options (validated on start) and the model manager.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ReaderOptions>()
            .BindConfiguration(ReaderOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReaderOptions>, ReaderOptionsValidator>();
        builder.Services.AddSingleton<ModelManager>();
        return builder;
    }
}

/// <summary>Reports every problem of the Reader section at start-up.</summary>
internal sealed class ReaderOptionsValidator : IValidateOptions<ReaderOptions>
{
    public ValidateOptionsResult Validate(string? name, ReaderOptions options)
    {
        var problems = options.Validate().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
