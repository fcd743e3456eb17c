namespace Mrc.Tests;

/// <summary>A fact that needs a JDK and Debian's liblucene8-java; skipped, naming what to install, without them (.ci/run installs both).</summary>
public sealed class RequiresJavaLuceneFactAttribute : FactAttribute
{
    static readonly string[] Jars = ["lucene-core-8.7.0.jar", "lucene-analyzers-common-8.7.0.jar", "lucene-analyzers-nori-8.7.0.jar"];

    public static string ClassPath => string.Join(':', Jars.Select(j => Path.Combine("/usr/share/java", j)));

    public RequiresJavaLuceneFactAttribute()
    {
        bool javac = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, "javac")));
        if (!javac || !Jars.All(j => File.Exists(Path.Combine("/usr/share/java", j))))
            Skip = "needs javac and /usr/share/java/lucene-*-8.7.0.jar: apt-get install openjdk-17-jdk-headless liblucene8-java (as .ci/run does).";
    }
}
