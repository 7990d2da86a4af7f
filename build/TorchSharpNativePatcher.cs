// MSBuild task (compiled by RoslynCodeTaskFactory from build/TorchSharpNative.targets) that makes
// TorchSharp's libLibTorchSharp.so loadable on libstdc++ from GCC 12 or older.
// Kept to netstandard2.0 APIs and plain byte[] access: that is what inline tasks compile against.
// See docs/torchsharp-native.md for the problem and the fix.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Checks whether TorchSharp's native library needs the GLIBCXX_3.4.32 patch on this machine,
/// writes a patched copy of it, or verifies a patched copy.
/// </summary>
/// <remarks>
/// <para><c>Check</c>: sets <see cref="Needed"/> when <see cref="InputFile"/> requires
/// GLIBCXX_3.4.32 and the libstdc++.so.6 the dynamic loader would pick does not define it
/// (or <see cref="Force"/> is set).</para>
/// <para><c>Patch</c>: copies <see cref="InputFile"/> to <see cref="OutputFile"/> (never touching
/// the input) with the GLIBCXX_3.4.32 need marked weak, <c>_ZSt21ios_base_library_initv</c>
/// unversioned and a DT_NEEDED entry for <see cref="ShimFileName"/>. The DT_NEEDED entry is
/// added in place when the dynamic section has a spare slot and the RUNPATH string has room
/// for the name; otherwise <see cref="NeedsExternalAddNeeded"/> is set for <c>patchelf</c>.</para>
/// <para><c>Verify</c>: fails unless <see cref="InputFile"/> carries all three edits.</para>
/// </remarks>
public sealed class LongTailTorchSharpNativePatch : Task
{
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const string ShimSymbol = "_ZSt21ios_base_library_initv";

    /// <summary><c>Check</c>, <c>Patch</c> or <c>Verify</c>.</summary>
    [Required]
    public string Mode { get; set; } = "";

    /// <summary>The libLibTorchSharp.so to inspect (the NuGet cache copy: read only).</summary>
    [Required]
    public string InputFile { get; set; } = "";

    /// <summary>Where <c>Patch</c> writes the patched copy.</summary>
    public string OutputFile { get; set; } = "";

    /// <summary>File name of the shim library that defines <c>std::ios_base_library_init()</c>.</summary>
    [Required]
    public string ShimFileName { get; set; } = "";

    /// <summary>Patch even when the system libstdc++ provides GLIBCXX_3.4.32.</summary>
    public bool Force { get; set; }

    /// <summary>Whether <c>Patch</c> may add the DT_NEEDED entry itself (else it leaves it to patchelf).</summary>
    public bool AllowInPlaceNeeded { get; set; } = true;

    /// <summary>libstdc++.so.6 to check instead of the one the dynamic loader would use.</summary>
    public string LibStdCxx { get; set; } = "";

    /// <summary><c>Check</c>: whether the library must be patched.</summary>
    [Output]
    public bool Needed { get; set; }

    /// <summary><c>Check</c>: the library needs more libstdc++ versions than the patch can supply.</summary>
    [Output]
    public bool Unfixable { get; set; }

    /// <summary><c>Check</c>: the libstdc++.so.6 that was checked (empty if none was found).</summary>
    [Output]
    public string LibStdCxxUsed { get; set; } = "";

    /// <summary><c>Patch</c>: the DT_NEEDED entry still has to be added (by patchelf).</summary>
    [Output]
    public bool NeedsExternalAddNeeded { get; set; }

    /// <summary>Why <see cref="Needed"/> has its value, for the build log.</summary>
    [Output]
    public string Reason { get; set; } = "";

    /// <inheritdoc />
    public override bool Execute()
    {
        try
        {
            switch (Mode)
            {
                case "Check": return Check();
                case "Patch": return Patch();
                case "Verify": return Verify();
                default:
                    Log.LogError("LongTailTorchSharpNativePatch: unknown Mode '{0}'.", Mode);
                    return false;
            }
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException
            || e is IndexOutOfRangeException || e is OverflowException)
        {
            Log.LogError("LongTailTorchSharpNativePatch ({0}) failed on '{1}': {2}", Mode, InputFile, e.Message);
            return false;
        }
    }

    private bool Check()
    {
        var lib = new Elf(File.ReadAllBytes(InputFile));
        List<VersionNeed> stdcxxNeeds = lib.VersionNeeds().Where(n => n.File.StartsWith("libstdc++.so", StringComparison.Ordinal)).ToList();
        if (!stdcxxNeeds.Any(n => n.Name == MissingVersion))
        {
            Reason = InputFile + " does not require " + MissingVersion;
            return true;
        }
        if (Force)
        {
            Needed = true;
            Reason = "forced by LongTailPatchTorchSharpNative=true";
            return true;
        }

        string libStdCxx = string.IsNullOrEmpty(LibStdCxx) ? FindLibStdCxx() : LibStdCxx;
        LibStdCxxUsed = libStdCxx ?? "";
        HashSet<string> provided;
        try
        {
            provided = libStdCxx == null ? null : new HashSet<string>(new Elf(File.ReadAllBytes(libStdCxx)).VersionDefinitions());
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException)
        {
            provided = null;
            Log.LogMessage(MessageImportance.Low, "Could not read version definitions of {0}: {1}", libStdCxx, e.Message);
        }
        if (provided == null)
        {
            // The patch is harmless where libstdc++ is new enough, so patch rather than risk a load failure.
            Needed = true;
            Reason = "could not find the system libstdc++.so.6 to check for " + MissingVersion;
            return true;
        }

        // Weak needs (e.g. an already patched input) do not stop the library from loading.
        List<string> missing = stdcxxNeeds.Where(n => !n.Weak && !provided.Contains(n.Name)).Select(n => n.Name).Distinct().ToList();
        if (missing.Count == 0)
        {
            Reason = libStdCxx + " provides every version " + Path.GetFileName(InputFile) + " needs";
            return true;
        }
        if (missing.Any(m => m != MissingVersion))
        {
            // Only GLIBCXX_3.4.32 (one symbol) can be shimmed; patching would not make it loadable.
            // The targets turn this into a build warning (also when this result is reused).
            Unfixable = true;
            Reason = string.Format(CultureInfo.InvariantCulture,
                "{0} needs {1}, which {2} does not define; only {3} can be patched in, so TorchSharp will not load on this machine",
                Path.GetFileName(InputFile), string.Join(", ", missing), libStdCxx, MissingVersion);
            return true;
        }
        Needed = true;
        Reason = libStdCxx + " lacks " + MissingVersion;
        return true;
    }

    private bool Patch()
    {
        if (string.IsNullOrEmpty(OutputFile))
        {
            Log.LogError("LongTailTorchSharpNativePatch: Patch needs OutputFile.");
            return false;
        }
        if (Path.GetFullPath(OutputFile) == Path.GetFullPath(InputFile))
        {
            Log.LogError("LongTailTorchSharpNativePatch: refusing to patch '{0}' in place; it may be the NuGet cache copy.", InputFile);
            return false;
        }

        var lib = new Elf(File.ReadAllBytes(InputFile));
        VersionNeed need = lib.VersionNeeds().FirstOrDefault(n => n.Name == MissingVersion && n.File.StartsWith("libstdc++.so", StringComparison.Ordinal));
        if (need == null)
        {
            Log.LogError("{0} does not require {1}; nothing to patch.", InputFile, MissingVersion);
            return false;
        }

        // (1) A weak version need is not an error when the library lacks it.
        if (!need.Weak)
        {
            lib.WriteU16(need.FlagsOffset, (ushort)(lib.ReadU16(need.FlagsOffset) | Elf.VerFlgWeak));
            Log.LogMessage(MessageImportance.Low, "Marked {0} weak.", MissingVersion);
        }

        // (2) Unversioned references bind to the shim's unversioned definition; only the one
        // symbol the shim provides may carry this version, or the patch would hide a real gap.
        foreach (Symbol sym in lib.DynamicSymbols().Where(s => s.Version == need.Index))
        {
            if (sym.Name != ShimSymbol)
            {
                Log.LogError("{0}: symbol {1} needs {2} and the shim does not provide it; cannot patch.", InputFile, sym.Name, MissingVersion);
                return false;
            }
            lib.WriteU16(sym.VersymOffset, Elf.VerNdxGlobal);
            Log.LogMessage(MessageImportance.Low, "Unversioned {0}.", sym.Name);
        }

        // (3) Load the shim with the library.
        if (!lib.Needed().Contains(ShimFileName))
        {
            string why = "in-place edit disabled";
            if (AllowInPlaceNeeded && lib.TryAddNeededInPlace(ShimFileName, out why))
            {
                Log.LogMessage(MessageImportance.Low, "Added DT_NEEDED {0} in place ({1}).", ShimFileName, why);
            }
            else
            {
                NeedsExternalAddNeeded = true;
                Log.LogMessage(MessageImportance.Normal, "DT_NEEDED {0} left to patchelf: {1}", ShimFileName, why);
            }
        }

        // Copy first so the file mode carries over, write the edited bytes, then swap it in:
        // a partial file never sits at OutputFile, and OutputFile is never a link into the
        // NuGet cache afterwards.
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile)));
        string temp = OutputFile + ".tmp";
        File.Copy(InputFile, temp, overwrite: true);
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(0);
            stream.Write(lib.Data, 0, lib.Data.Length);
        }
        if (File.Exists(OutputFile))
        {
            File.Delete(OutputFile);
        }
        File.Move(temp, OutputFile);
        return true;
    }

    private bool Verify()
    {
        var lib = new Elf(File.ReadAllBytes(InputFile));
        VersionNeed need = lib.VersionNeeds().FirstOrDefault(n => n.Name == MissingVersion);
        var problems = new List<string>();
        if (need != null && !need.Weak)
        {
            problems.Add(MissingVersion + " is not weak");
        }
        if (need != null && lib.DynamicSymbols().Any(s => s.Version == need.Index))
        {
            problems.Add("symbols still reference " + MissingVersion);
        }
        if (!lib.Needed().Contains(ShimFileName))
        {
            problems.Add("no DT_NEEDED " + ShimFileName);
        }
        if (problems.Count > 0)
        {
            Log.LogError("{0} is not correctly patched: {1}.", InputFile, string.Join("; ", problems));
            return false;
        }
        return true;
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would load: LD_LIBRARY_PATH, then the ldconfig cache, then the default directories.</summary>
    private string FindLibStdCxx()
    {
        const string name = "libstdc++.so.6";
        string ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "";
        foreach (string dir in ldLibraryPath.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && Elf.IsElf64(candidate))
            {
                return candidate;
            }
        }

        foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
        {
            string output = RunQuietly(ldconfig, "-p");
            if (output == null)
            {
                continue;
            }
            // Lines look like "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
            foreach (string line in output.Split('\n'))
            {
                string trimmed = line.Trim();
                int arrow = trimmed.IndexOf(" => ", StringComparison.Ordinal);
                if (arrow > 0 && trimmed.StartsWith(name + " ", StringComparison.Ordinal) && trimmed.Contains("x86-64"))
                {
                    string path = trimmed.Substring(arrow + 4).Trim();
                    if (File.Exists(path))
                    {
                        return path;
                    }
                }
            }
            break;
        }

        foreach (string dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" })
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && Elf.IsElf64(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private string RunQuietly(string fileName, string arguments)
    {
        try
        {
            var info = new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using (Process process = Process.Start(info))
            {
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return process.ExitCode == 0 ? output : null;
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
        {
            Log.LogMessage(MessageImportance.Low, "Could not run {0}: {1}", fileName, e.Message);
            return null;
        }
    }

    /// <summary>One Vernaux entry of .gnu.version_r.</summary>
    private sealed class VersionNeed
    {
        public string File = "";
        public string Name = "";
        public int Index;
        public int FlagsOffset;
        public bool Weak;
    }

    /// <summary>One .dynsym entry with its .gnu.version index.</summary>
    private sealed class Symbol
    {
        public string Name = "";
        public int Version;
        public int VersymOffset;
    }

    /// <summary>Minimal little-endian ELF64 reader/editor over the section headers.</summary>
    private sealed class Elf
    {
        public const ushort VerFlgWeak = 0x2;
        public const ushort VerNdxGlobal = 1;
        private const uint ShtDynamic = 6, ShtDynsym = 11, ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        private const long DtNull = 0, DtNeeded = 1, DtSoname = 14, DtRpath = 15, DtRunpath = 29;

        public readonly byte[] Data;
        private readonly List<Section> _sections = new List<Section>();

        private sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public int Link;
            public int Info;
        }

        public Elf(byte[] data)
        {
            Data = data;
            if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file");
            }
            if (data[4] != 2 || data[5] != 1)
            {
                throw new InvalidDataException("not a little-endian ELF64 file");
            }
            long shoff = (long)ReadU64(0x28);
            int shentsize = ReadU16(0x3a);
            int shnum = ReadU16(0x3c);
            if (shoff <= 0 || shnum == 0 || shentsize < 64 || shoff + (long)shnum * shentsize > data.Length)
            {
                throw new InvalidDataException("no usable section headers");
            }
            for (int i = 0; i < shnum; i++)
            {
                int h = checked((int)(shoff + (long)i * shentsize));
                var s = new Section
                {
                    Type = ReadU32(h + 4),
                    Offset = (long)ReadU64(h + 24),
                    Size = (long)ReadU64(h + 32),
                    Link = (int)ReadU32(h + 40),
                    Info = (int)ReadU32(h + 44),
                };
                if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > data.Length)
                {
                    throw new InvalidDataException("section " + i + " lies outside the file");
                }
                _sections.Add(s);
            }
        }

        public static bool IsElf64(string path)
        {
            var header = new byte[5];
            using (var stream = System.IO.File.OpenRead(path))
            {
                return stream.Read(header, 0, 5) == 5 && header[0] == 0x7f && header[1] == (byte)'E' && header[4] == 2;
            }
        }

        public ushort ReadU16(long at) => (ushort)(Data[at] | Data[at + 1] << 8);

        public uint ReadU32(long at) => (uint)(Data[at] | Data[at + 1] << 8 | Data[at + 2] << 16 | Data[at + 3] << 24);

        public ulong ReadU64(long at) => ReadU32(at) | (ulong)ReadU32(at + 4) << 32;

        public void WriteU16(long at, ushort value)
        {
            Data[at] = (byte)value;
            Data[at + 1] = (byte)(value >> 8);
        }

        private void WriteU64(long at, ulong value)
        {
            for (int i = 0; i < 8; i++)
            {
                Data[at + i] = (byte)(value >> (8 * i));
            }
        }

        private Section Find(uint type) => _sections.FirstOrDefault(s => s.Type == type);

        private Section Require(uint type, string name) => Find(type) ?? throw new InvalidDataException("no " + name + " section");

        private Section LinkOf(Section s)
        {
            if (s.Link <= 0 || s.Link >= _sections.Count)
            {
                throw new InvalidDataException("bad sh_link");
            }
            return _sections[s.Link];
        }

        private string ReadString(Section strtab, long index)
        {
            if (index < 0 || index >= strtab.Size)
            {
                throw new InvalidDataException("string index out of range");
            }
            long start = strtab.Offset + index, end = start;
            while (end < strtab.Offset + strtab.Size && Data[end] != 0)
            {
                end++;
            }
            return Encoding.ASCII.GetString(Data, (int)start, (int)(end - start));
        }

        /// <summary>Version names this file defines (.gnu.version_d).</summary>
        public IEnumerable<string> VersionDefinitions()
        {
            Section verdef = Require(ShtGnuVerdef, ".gnu.version_d");
            Section strtab = LinkOf(verdef);
            long at = verdef.Offset;
            for (int i = 0; i < verdef.Info; i++)
            {
                // Elf64_Verdef: vd_version, vd_flags, vd_ndx, vd_cnt (u16), vd_hash, vd_aux, vd_next (u32).
                long aux = at + ReadU32(at + 12);
                yield return ReadString(strtab, ReadU32(aux)); // Elf64_Verdaux.vda_name
                uint next = ReadU32(at + 16);
                if (next == 0)
                {
                    break;
                }
                at += next;
            }
        }

        /// <summary>Version needs (.gnu.version_r), one per Vernaux entry.</summary>
        public List<VersionNeed> VersionNeeds()
        {
            var result = new List<VersionNeed>();
            Section verneed = Find(ShtGnuVerneed);
            if (verneed == null)
            {
                return result;
            }
            Section strtab = LinkOf(verneed);
            foreach (long entry in VerneedEntries(verneed))
            {
                // Elf64_Verneed: vn_version, vn_cnt (u16), vn_file, vn_aux, vn_next (u32).
                string file = ReadString(strtab, ReadU32(entry + 4));
                foreach (long aux in VernauxEntries(entry))
                {
                    // Elf64_Vernaux: vna_hash (u32), vna_flags, vna_other (u16), vna_name, vna_next (u32).
                    result.Add(new VersionNeed
                    {
                        File = file,
                        Name = ReadString(strtab, ReadU32(aux + 8)),
                        Index = ReadU16(aux + 6) & 0x7fff,
                        FlagsOffset = checked((int)(aux + 4)),
                        Weak = (ReadU16(aux + 4) & VerFlgWeak) != 0,
                    });
                }
            }
            return result;
        }

        /// <summary>.dynsym entries with their .gnu.version index.</summary>
        public IEnumerable<Symbol> DynamicSymbols()
        {
            Section dynsym = Require(ShtDynsym, ".dynsym");
            Section versym = Require(ShtGnuVersym, ".gnu.version");
            Section strtab = LinkOf(dynsym);
            long count = dynsym.Size / 24;
            if (versym.Size < count * 2)
            {
                throw new InvalidDataException(".gnu.version is shorter than .dynsym");
            }
            for (long i = 1; i < count; i++)
            {
                int versymOffset = checked((int)(versym.Offset + i * 2));
                yield return new Symbol
                {
                    Name = ReadString(strtab, ReadU32(dynsym.Offset + i * 24)),
                    Version = ReadU16(versymOffset) & 0x7fff,
                    VersymOffset = versymOffset,
                };
            }
        }

        /// <summary>DT_NEEDED names.</summary>
        public List<string> Needed()
        {
            Section dynamic = Require(ShtDynamic, ".dynamic");
            Section strtab = LinkOf(dynamic);
            var result = new List<string>();
            for (long at = dynamic.Offset; at + 16 <= dynamic.Offset + dynamic.Size; at += 16)
            {
                long tag = (long)ReadU64(at);
                if (tag == DtNull)
                {
                    break;
                }
                if (tag == DtNeeded)
                {
                    result.Add(ReadString(strtab, (long)ReadU64(at + 8)));
                }
            }
            return result;
        }

        /// <summary>
        /// Adds DT_NEEDED <paramref name="name"/> without changing the file layout: it takes a spare
        /// DT_NULL slot of .dynamic, and stores the name in the RUNPATH string, which is cut to its
        /// $ORIGIN entries (the others are directories on TorchSharp's build machine).
        /// </summary>
        public bool TryAddNeededInPlace(string name, out string why)
        {
            Section dynamic = Require(ShtDynamic, ".dynamic");
            Section strtab = LinkOf(dynamic);
            long slots = dynamic.Size / 16;
            long used = 0;
            long runpathEntry = -1;
            var stringRefs = new List<long>();
            for (; used < slots; used++)
            {
                long at = dynamic.Offset + used * 16;
                long tag = (long)ReadU64(at);
                if (tag == DtNull)
                {
                    break;
                }
                if (tag == DtRunpath || (tag == DtRpath && runpathEntry < 0))
                {
                    runpathEntry = at;
                }
                else if (tag == DtNeeded || tag == DtSoname || tag == DtRpath || tag == 0x7ffffffd /* DT_AUXILIARY */ || tag == 0x7fffffff /* DT_FILTER */)
                {
                    stringRefs.Add((long)ReadU64(at + 8));
                }
            }
            if (used + 1 >= slots)
            {
                why = "no spare DT_NULL slot in .dynamic";
                return false;
            }
            if (runpathEntry < 0)
            {
                why = "no RUNPATH string to reuse";
                return false;
            }

            long runpathIndex = (long)ReadU64(runpathEntry + 8);
            string runpath = ReadString(strtab, runpathIndex);
            string kept = string.Join(":", runpath.Split(':').Where(p => p.StartsWith("$ORIGIN", StringComparison.Ordinal) || p.StartsWith("${ORIGIN}", StringComparison.Ordinal)));
            if (kept.Length == 0)
            {
                why = "RUNPATH has no $ORIGIN entry, so the shim next to the library would not be found";
                return false;
            }
            if (kept.Length + 1 + name.Length > runpath.Length)
            {
                why = "RUNPATH string too short to hold the name";
                return false;
            }

            // The linker may share string tails: every other string reference must stay clear of
            // the bytes rewritten here.
            Section dynsym = Find(ShtDynsym);
            if (dynsym != null && dynsym.Link == dynamic.Link)
            {
                for (long i = 1; i < dynsym.Size / 24; i++)
                {
                    stringRefs.Add(ReadU32(dynsym.Offset + i * 24));
                }
            }
            Section verneed = Find(ShtGnuVerneed);
            if (verneed != null && verneed.Link == dynamic.Link)
            {
                foreach (long index in VersionNeedStringRefs(verneed))
                {
                    stringRefs.Add(index);
                }
            }
            if (stringRefs.Any(r => r >= runpathIndex && r <= runpathIndex + runpath.Length))
            {
                why = "the RUNPATH string is shared with another entry";
                return false;
            }

            long start = strtab.Offset + runpathIndex;
            byte[] replacement = Encoding.ASCII.GetBytes(kept + "\0" + name);
            Array.Clear(Data, (int)start, runpath.Length + 1);
            Array.Copy(replacement, 0, Data, start, replacement.Length);
            long slot = dynamic.Offset + used * 16;
            WriteU64(slot, (ulong)DtNeeded);
            WriteU64(slot + 8, (ulong)(runpathIndex + kept.Length + 1));
            WriteU64(slot + 16, (ulong)DtNull);
            WriteU64(slot + 24, 0);
            why = "RUNPATH '" + runpath + "' shortened to '" + kept + "'";
            return true;
        }

        private IEnumerable<long> VersionNeedStringRefs(Section verneed)
        {
            foreach (long entry in VerneedEntries(verneed))
            {
                yield return ReadU32(entry + 4); // vn_file
                foreach (long aux in VernauxEntries(entry))
                {
                    yield return ReadU32(aux + 8); // vna_name
                }
            }
        }

        /// <summary>The file offsets of the Elf64_Verneed entries of .gnu.version_r, following vn_next.</summary>
        private IEnumerable<long> VerneedEntries(Section verneed)
        {
            long at = verneed.Offset;
            for (int i = 0; i < verneed.Info; i++)
            {
                yield return at;
                uint next = ReadU32(at + 12);
                if (next == 0)
                {
                    break;
                }
                at += next;
            }
        }

        /// <summary>The file offsets of one Verneed entry's Elf64_Vernaux entries (vn_cnt of them, following vna_next).</summary>
        private IEnumerable<long> VernauxEntries(long entry)
        {
            int count = ReadU16(entry + 2);
            long aux = entry + ReadU32(entry + 8);
            for (int j = 0; j < count; j++)
            {
                yield return aux;
                uint next = ReadU32(aux + 12);
                if (next == 0)
                {
                    break;
                }
                aux += next;
            }
        }
    }
}
