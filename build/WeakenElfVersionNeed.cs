// Marks one symbol-version requirement of ELF shared objects as weak (VER_FLG_WEAK), so the
// dynamic loader accepts a system library that lacks that version.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13 and records a need for
// GLIBCXX_3.4.32. Debian 12 ships libstdc++ up to GLIBCXX_3.4.30, so dlopen fails (and TorchSharp
// reports it as "libtorch ... is not restored"). The only symbol behind GLIBCXX_3.4.32 is
// _ZSt21ios_base_library_initv, a marker nobody calls, so a weak need is safe.
//
// The task only edits copies in a build or publish output folder, never the NuGet cache, and only
// when the system libstdc++ lacks the version.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenElfVersionNeed : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    [Required] public string Directory { get; set; } = "";
    [Required] public string VersionName { get; set; } = "";
    [Required] public string SystemLibrary { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory) || !File.Exists(SystemLibrary)) return true;
        if (Contains(File.ReadAllBytes(SystemLibrary), Encoding.ASCII.GetBytes(VersionName + "\0"))) return true;

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*.so*", SearchOption.AllDirectories))
        {
            try
            {
                int changed = Patch(path);
                if (changed > 0)
                    Log.LogMessage(MessageImportance.High, "Marked {0} as a weak need in {1}", VersionName, path);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is ArgumentException)
            {
                Log.LogWarning("Could not patch {0}: {1}", path, e.Message);
            }
        }
        return !Log.HasLoggedErrors;
    }

    int Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        // 64-bit little-endian ELF only (linux-x64).
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 || elf[5] != 1) return 0;

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);

            long need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < count; a++)
                {
                    long name = strtab + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadString(elf, name) == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                            changed++;
                        }
                    }
                    uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        if (changed > 0)
        {
            // Write the whole image beside the library first, so a failed write leaves the original intact.
            string temp = path + ".weak-tmp";
            File.WriteAllBytes(temp, elf);
            File.Copy(temp, path, overwrite: true);
            File.Delete(temp);
        }
        return changed;
    }

    static string ReadString(byte[] data, long start)
    {
        long end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        // The task factory compiles against netstandard2.0: no span search there.
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
