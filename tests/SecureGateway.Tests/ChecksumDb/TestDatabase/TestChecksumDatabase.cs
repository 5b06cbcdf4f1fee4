using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SecureGateway.Modules;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// The server side of a Go checksum database (golang.org/x/mod/sumdb server.go + TestServer), in memory and served
/// over real HTTP on 127.0.0.1, signed with a key it generates, hashed and signed by the product's core. The real go
/// command accepts it with <c>GOSUMDB=</c><see cref="GoSumDb"/>; the gateway with <c>Gateway:SumDb</c>.
/// </summary>
/// <remarks>
/// <para>Endpoints as server.go: <c>GET /latest</c> (the signed tree note), <c>GET /lookup/M@V</c> (escaped path and
/// version; <c>{id}\n{record text}\n</c> then the signed tree note), <c>GET /tile/8/L/NNN[.p/W]</c> (W × 32 hash
/// bytes) and <c>GET /tile/8/data/NNN[.p/W]</c> (the records as <c>{id}\n{text}\n</c>, concatenated). A tile is served
/// when the current tree has all of its hashes or records (so a partial tile stays available after it has grown);
/// other tiles and unknown paths are 404, a malformed lookup or tile path 400. An unknown module is <see cref="UnknownLookupStatus"/> (404 as Go's TestServer; set 410 to
/// answer like sum.golang.org) with <c>not found: M@V</c>.</para>
/// <para>Records are the two go.sum lines of a module version, ids from 0 in insertion order; the tree never loses a
/// record (except through <see cref="Fork"/>, which is the point of it). All members are thread-safe.</para>
/// <para>Attack hooks change what is served until they are undone: <see cref="SignWithOtherKey"/>,
/// <see cref="SignWithWrongKeyHash"/>, <see cref="CorruptTile"/>, <see cref="LookupRecordOverride"/>,
/// <see cref="Fork"/>, <see cref="ServeHead"/> / <see cref="ServeOlderHead"/> (undone by <see cref="ServeCurrentHead"/>),
/// <see cref="Tamper"/> (any answer's bytes).</para>
/// </remarks>
public sealed partial class TestChecksumDatabase : IAsyncDisposable
{
    /// <summary>The tile height, as sum.golang.org and the go command use.</summary>
    public const int TileHeight = 8;

    private const int TileWidth = 1 << TileHeight;

    private readonly NoteSigner signer;
    private readonly NoteSigner otherSigner;
    private readonly SumDbLoopbackServer server;
    private readonly ConcurrentQueue<string> requestPaths = new();
    private int lookupRequests;
    private int latestRequests;
    private int tileRequests;
    private int totalRequests;

    // Guards every field below it; held while a request is answered (answers are computed in memory).
    private readonly SemaphoreSlim gate = new(1, 1);
    private List<byte[]> records = [];
    private List<TlogHash> hashes = [];
    private readonly Dictionary<string, long> ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> lookupOverrides = new(StringComparer.Ordinal);
    private readonly HashSet<string> corruptTiles = new(StringComparer.Ordinal);
    private TreeHead? servedHead;
    private long? servedSize;
    private bool signWithOtherKey;
    private bool signWithWrongKeyHash;
    private int forkCount;
    private Func<string, byte[], byte[]>? tamper;

    private TestChecksumDatabase(string name)
    {
        Name = name;
        (var signerKey, VerifierKey) = NoteSigner.GenerateKey(name);
        signer = NoteSigner.Parse(signerKey);
        otherSigner = NoteSigner.Parse(NoteSigner.GenerateKey(name).SignerKey);
        server = SumDbLoopbackServer.Start(HandleAsync);
    }

    /// <summary>The database name (the verifier key's name), e.g. <c>sum.test.example</c>.</summary>
    public string Name { get; }

    /// <summary>The verifier key, <c>name+hhhhhhhh+base64</c>.</summary>
    public string VerifierKey { get; }

    /// <summary>The base URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url => $"http://127.0.0.1:{server.Port}";

    /// <summary>The GOSUMDB value (and the gateway's <c>Gateway:SumDb</c>): <c>"{VerifierKey} {Url}"</c>.</summary>
    public string GoSumDb => $"{VerifierKey} {Url}";

    /// <summary>What an unknown module's lookup answers: 404 (Go's server, the default) or 410 (sum.golang.org).</summary>
    public int UnknownLookupStatus { get; set; } = 404;

    /// <summary>The number of records in the tree (whatever head <see cref="ServeHead"/> or <see cref="ServeOlderHead"/> makes it serve).</summary>
    public long Size => Locked(() => (long)records.Count);

    /// <summary>Requests to <c>/lookup/…</c> since the start or <see cref="ResetCounters"/>.</summary>
    public int LookupRequests => Volatile.Read(ref lookupRequests);

    /// <summary>Requests to <c>/latest</c>.</summary>
    public int LatestRequests => Volatile.Read(ref latestRequests);

    /// <summary>Requests to <c>/tile/…</c> (hash and data tiles).</summary>
    public int TileRequests => Volatile.Read(ref tileRequests);

    /// <summary>Every request, including unknown paths and refused methods.</summary>
    public int TotalRequests => Volatile.Read(ref totalRequests);

    /// <summary>The decoded request paths, in arrival order (cleared by <see cref="ResetCounters"/>); for assertion messages.</summary>
    public IReadOnlyList<string> RequestPaths => [.. requestPaths];

    /// <summary>Starts an empty database on a free port with a freshly generated key pair for <paramref name="name"/>.</summary>
    public static TestChecksumDatabase Start(string name = "sum.test.example") => new(name);

    /// <summary>
    /// Appends the record of <paramref name="path"/>@<paramref name="version"/>: exactly
    /// <c>"{path} {version} {zipHash}\n{path} {version}/go.mod {goModHash}\n"</c>. Returns its record id.
    /// </summary>
    /// <exception cref="InvalidOperationException">The module version already has a record (a checksum database never changes one).</exception>
    /// <exception cref="ArgumentException">The text would not be a valid record (a space, newline or control character in a field).</exception>
    public long AddModule(string path, string version, string zipHash, string goModHash)
    {
        foreach (var (field, value) in new[] { (nameof(path), path), (nameof(version), version), (nameof(zipHash), zipHash), (nameof(goModHash), goModHash) })
        {
            if (string.IsNullOrEmpty(value) || value.Any(c => c <= ' '))
            {
                throw new ArgumentException($"{field} must be non-empty without spaces or control characters: {value}", field);
            }
        }

        var text = Encoding.UTF8.GetBytes($"{path} {version} {zipHash}\n{path} {version}/go.mod {goModHash}\n");
        return Locked(() =>
        {
            var key = LookupKey(path, version);
            if (ids.TryGetValue(key, out var existing))
            {
                throw new InvalidOperationException($"{key} already has record {existing}");
            }

            var id = Append(text);
            ids[key] = id;
            return id;
        });
    }

    /// <summary>Adds one record per module (see <see cref="AddModule"/>), in order, e.g. from <c>go mod download -json</c>.</summary>
    public void AddFromGoSums(IEnumerable<(string Path, string Version, string Sum, string GoModSum)> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (path, version, sum, goModSum) in modules)
        {
            AddModule(path, version, sum, goModSum);
        }
    }

    /// <summary>
    /// Appends <paramref name="count"/> synthetic module records (<c>filler.example/m{id} v0.0.0</c> with made-up
    /// hashes; their lookups work) to grow the tree quickly: 100,000 take under a second. Returns the id of the first one.
    /// </summary>
    public long AddFiller(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Locked(() =>
        {
            var first = (long)records.Count;
            var fakeHash = new byte[32];
            for (var i = 0; i < count; i++)
            {
                var id = first + i;
                var path = $"filler.example/m{id.ToString(CultureInfo.InvariantCulture)}";
                BinaryPrimitives.WriteInt64BigEndian(fakeHash, id);
                fakeHash[31] = 1;
                var sum = "h1:" + Convert.ToBase64String(fakeHash);
                fakeHash[31] = 2;
                var goModSum = "h1:" + Convert.ToBase64String(fakeHash);
                ids[LookupKey(path, "v0.0.0")] = Append(Encoding.UTF8.GetBytes($"{path} v0.0.0 {sum}\n{path} v0.0.0/go.mod {goModSum}\n"));
            }

            return first;
        });
    }

    /// <summary>The record id of <paramref name="path"/>@<paramref name="version"/>, or null when it has none.</summary>
    public long? RecordId(string path, string version) =>
        Locked(() => ids.TryGetValue(LookupKey(path, version), out var id) ? id : (long?)null);

    /// <summary>
    /// The path (<c>tile/8/L/NNN[.p/W]</c>) of the hash tile at <paramref name="level"/> that a client verifying a
    /// tree of <paramref name="treeSize"/> records (default: the current size) reads for record <paramref name="recordId"/>.
    /// </summary>
    public string HashTilePath(long recordId, int level = 0, long? treeSize = null)
    {
        var size = treeSize ?? Size;
        var shift = level * TileHeight;
        if (recordId < 0 || recordId >= size || shift >= 63)
        {
            throw new ArgumentOutOfRangeException(nameof(recordId), $"record {recordId} level {level} is not in a tree of {size}");
        }

        var n = (recordId >> shift) / TileWidth;
        var width = Math.Min(TileWidth, (size >> shift) - (n * TileWidth));
        return width > 0
            ? new Tile(TileHeight, level, n, (int)width).Path()
            : throw new ArgumentOutOfRangeException(nameof(level), $"no complete subtree at level {level * TileHeight} holds record {recordId} in a tree of {size}");
    }

    /// <summary>The current tree head (or the one of <paramref name="treeSize"/> records of the current history).</summary>
    public async Task<TreeHead> HeadAsync(long? treeSize = null, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await HeadOfSizeAsync(treeSize ?? records.Count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary><paramref name="head"/> as a note signed with this database's key.</summary>
    public byte[] Sign(TreeHead head) => Notes.Sign(head.Format(), signer);

    /// <summary>Zeroes the request counters and forgets the recorded paths.</summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref lookupRequests, 0);
        Interlocked.Exchange(ref latestRequests, 0);
        Interlocked.Exchange(ref tileRequests, 0);
        Interlocked.Exchange(ref totalRequests, 0);
        requestPaths.Clear();
    }

    /// <summary>
    /// Attack: sign tree notes with a different key generated for the same name (so the signature line's key hash
    /// is not the verifier's: clients find no verifiable signature). False restores the real key.
    /// </summary>
    public void SignWithOtherKey(bool enabled) => Locked(() => signWithOtherKey = enabled);

    /// <summary>
    /// Attack: sign with the real key but alter the 4-byte key hash at the start of the signature (first byte
    /// inverted), so the line names an unknown key. False restores genuine signatures.
    /// </summary>
    public void SignWithWrongKeyHash(bool enabled) => Locked(() => signWithWrongKeyHash = enabled);

    /// <summary>
    /// Attack: serve <paramref name="tilePath"/> (e.g. <c>tile/8/0/000.p/7</c>, a leading '/' allowed; see
    /// <see cref="HashTilePath"/>) with its first byte flipped. Other widths of the same tile stay genuine.
    /// </summary>
    public void CorruptTile(string tilePath)
    {
        ArgumentNullException.ThrowIfNull(tilePath);
        Locked(() => corruptTiles.Add(tilePath.TrimStart('/')));
    }

    /// <summary>Serves every tile genuinely again.</summary>
    public void ClearCorruptTiles() => Locked(corruptTiles.Clear);

    /// <summary>
    /// Attack: answer the lookup of <paramref name="path"/>@<paramref name="version"/> with the genuine record id and
    /// signed head but <paramref name="recordText"/> (sent as given, then the blank line) instead of the record in the
    /// tree, so the inclusion check fails. Null restores the genuine answer.
    /// </summary>
    public void LookupRecordOverride(string path, string version, string? recordText) => Locked(() =>
    {
        var key = LookupKey(path, version);
        if (recordText is null)
        {
            lookupOverrides.Remove(key);
        }
        else
        {
            lookupOverrides[key] = Encoding.UTF8.GetBytes(recordText);
        }
    });

    /// <summary>
    /// Attack: replace the history with one whose record <paramref name="index"/> differs (a line
    /// <c>fork {n}</c> is appended to its text; go.sum lines and lookups are unchanged), rebuilding every hash. Every
    /// head of more than <paramref name="index"/> records is then inconsistent with the heads served before.
    /// Records added later extend the forked history.
    /// </summary>
    public void Fork(long index = 0) => Locked(() =>
    {
        if (index < 0 || index >= records.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"the tree has {records.Count} records");
        }

        var forked = records;
        var fork = ++forkCount;
        forked[(int)index] = [.. forked[(int)index], .. Encoding.UTF8.GetBytes($"fork {fork.ToString(CultureInfo.InvariantCulture)}\n")];
        records = [];
        hashes = [];
        foreach (var text in forked)
        {
            Append(text);
        }
    });

    /// <summary>
    /// Attack: every 200 answer's body passes through <paramref name="rewrite"/> (request path such as
    /// <c>/tile/8/0/000.p/5</c>, genuine body → body served); null serves genuine answers again.
    /// </summary>
    public void Tamper(Func<string, byte[], byte[]>? rewrite) => Locked(() => tamper = rewrite);

    /// <summary>Attack: serve <paramref name="head"/> (signed as configured) as the tree head in <c>/latest</c> and lookups.</summary>
    public void ServeHead(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        Locked(() => (servedHead, servedSize) = (head, null));
    }

    /// <summary>
    /// Serve the head of the first <paramref name="treeSize"/> records of the current history (stale but consistent;
    /// after <see cref="Fork"/>, of the forked history), computed at each request.
    /// </summary>
    public void ServeOlderHead(long treeSize) => Locked(() =>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, (long)records.Count);
        (servedHead, servedSize) = (null, treeSize);
    });

    /// <summary>Serve the current head again (undoes <see cref="ServeHead"/> and <see cref="ServeOlderHead"/>).</summary>
    public void ServeCurrentHead() => Locked(() => (servedHead, servedSize) = (null, null));

    /// <summary>Stops serving (connections are refused afterwards).</summary>
    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync().ConfigureAwait(false);
        gate.Dispose();
    }

    private static string LookupKey(string path, string version) => $"{path}@{version}";

    // Appends a record and its stored hashes; the caller holds the gate.
    private long Append(byte[] text)
    {
        var id = (long)records.Count;
        var stored = hashes;
        hashes.AddRange(Tlog.StoredHashesForRecordHash(id, Tlog.RecordHash(text), index => stored[checked((int)index)]));
        records.Add(text);
        return id;
    }

    private T Locked<T>(Func<T> action)
    {
        gate.Wait();
        try
        {
            return action();
        }
        finally
        {
            gate.Release();
        }
    }

    private void Locked(Action action) => Locked(() =>
    {
        action();
        return 0;
    });

    private async Task<SumDbResponse> HandleAsync(SumDbRequest request, CancellationToken cancellationToken)
    {
        requestPaths.Enqueue(request.Path);
        Interlocked.Increment(ref totalRequests);
        var kind = request.Path switch
        {
            "/latest" => RequestKind.Latest,
            _ when request.Path.StartsWith("/lookup/", StringComparison.Ordinal) => RequestKind.Lookup,
            _ when request.Path.StartsWith("/tile/", StringComparison.Ordinal) => RequestKind.Tile,
            _ => RequestKind.Other,
        };
        switch (kind)
        {
            case RequestKind.Latest:
                Interlocked.Increment(ref latestRequests);
                break;
            case RequestKind.Lookup:
                Interlocked.Increment(ref lookupRequests);
                break;
            case RequestKind.Tile:
                Interlocked.Increment(ref tileRequests);
                break;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = kind switch
            {
                RequestKind.Latest => new SumDbResponse(200, SumDbResponse.Text, await SignedHeadAsync(cancellationToken).ConfigureAwait(false)),
                RequestKind.Lookup => await LookupAsync(request.Path["/lookup/".Length..], cancellationToken).ConfigureAwait(false),
                RequestKind.Tile => await TileAsync(request.Path[1..], cancellationToken).ConfigureAwait(false),
                _ => SumDbResponse.Error(404, "404 page not found"),
            };
            return response.Status == 200 && tamper is { } rewrite ? response with { Body = rewrite(request.Path, response.Body) } : response;
        }
        catch (Exception exception) when (exception is TlogException or NoteException or ArgumentException or InvalidOperationException)
        {
            return SumDbResponse.Error(500, exception.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    // server.go: modVerRE, then UnescapePath/UnescapeVersion (their errors are 500s there too), Lookup, FormatRecord + Signed.
    private async Task<SumDbResponse> LookupAsync(string moduleAtVersion, CancellationToken cancellationToken)
    {
        if (!ModuleAtVersion().IsMatch(moduleAtVersion))
        {
            return SumDbResponse.Error(400, "invalid module@version syntax");
        }

        var at = moduleAtVersion.IndexOf('@', StringComparison.Ordinal);
        if (!ModuleEscaping.TryUnescapePath(moduleAtVersion[..at], out var path, out var error)
            || !ModuleEscaping.TryUnescapeVersion(moduleAtVersion[(at + 1)..], out var version, out error))
        {
            return SumDbResponse.Error(500, error);
        }

        var key = LookupKey(path, version);
        if (!ids.TryGetValue(key, out var id))
        {
            return SumDbResponse.Error(UnknownLookupStatus, $"not found: {key}");
        }

        var text = lookupOverrides.GetValueOrDefault(key) ?? records[(int)id];
        var signed = await SignedHeadAsync(cancellationToken).ConfigureAwait(false);
        return new SumDbResponse(200, SumDbResponse.Text, [.. FormatRecord(id, text), .. signed]);
    }

    private async Task<SumDbResponse> TileAsync(string tilePath, CancellationToken cancellationToken)
    {
        if (!Tile.TryParsePath(tilePath, out var tile))
        {
            return SumDbResponse.Error(400, "invalid tile syntax");
        }

        var start = tile.N * TileWidth;
        var isData = tile.L < 0;
        var shift = isData ? 0 : tile.L * TileHeight;
        var available = shift >= 63 ? 0 : (long)records.Count >> shift;
        if (tile.H != TileHeight || start + tile.W > available)
        {
            return SumDbResponse.Error(404, $"not found: {tilePath}");
        }

        byte[] body;
        if (isData)
        {
            body = [.. Enumerable.Range(0, tile.W).SelectMany(i => FormatRecord(start + i, records[(int)(start + i)]))];
        }
        else
        {
            body = await Tile.ReadTileDataAsync(tile, new StoredHashReader(hashes), cancellationToken).ConfigureAwait(false);
        }

        if (corruptTiles.Contains(tilePath))
        {
            body[0] ^= 0x01;
        }

        return new SumDbResponse(200, isData ? SumDbResponse.Text : "application/octet-stream", body);
    }

    // tlog.FormatRecord: the id, a newline, the text (ending in its own newline) and one more newline.
    private static byte[] FormatRecord(long id, byte[] text) =>
        [.. Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture) + "\n"), .. text, (byte)'\n'];

    // TestServer.Signed: the tree head text signed with note.Sign, unless an attack says otherwise. The caller holds the gate.
    private async Task<byte[]> SignedHeadAsync(CancellationToken cancellationToken)
    {
        var head = servedHead ?? await HeadOfSizeAsync(servedSize ?? records.Count, cancellationToken).ConfigureAwait(false);
        var note = Notes.Sign(head.Format(), signWithOtherKey ? otherSigner : signer);
        return signWithWrongKeyHash ? WithAlteredKeyHashes(note) : note;
    }

    private async Task<TreeHead> HeadOfSizeAsync(long treeSize, CancellationToken cancellationToken)
    {
        var hash = await Tlog.TreeHashAsync(treeSize, new StoredHashReader(hashes), cancellationToken).ConfigureAwait(false);
        return new TreeHead(treeSize, hash);
    }

    // Inverts the first byte of the key hash in every signature line ("— name base64\n" after the blank line).
    private static byte[] WithAlteredKeyHashes(byte[] note)
    {
        var text = Encoding.UTF8.GetString(note);
        var split = text.LastIndexOf("\n\n", StringComparison.Ordinal) + 2;
        var lines = text[split..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var space = line.LastIndexOf(' ');
            var signature = Convert.FromBase64String(line[(space + 1)..]);
            signature[0] ^= 0xFF;
            return line[..(space + 1)] + Convert.ToBase64String(signature) + "\n";
        });
        return Encoding.UTF8.GetBytes(text[..split] + string.Concat(lines));
    }

    private enum RequestKind
    {
        Other,
        Latest,
        Lookup,
        Tile,
    }

    [GeneratedRegex(@"^[^@]+@v[0-9]+\.[0-9]+\.[0-9]+(-[^@]*)?(\+incompatible)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleAtVersion();

    /// <summary>Reads the in-memory stored-hash array (Go's TestServer testHashes); the caller holds the gate.</summary>
    private sealed class StoredHashReader(List<TlogHash> hashes) : IHashReader
    {
        public ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken)
        {
            var result = new TlogHash[indexes.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = indexes[i] >= 0 && indexes[i] < hashes.Count
                    ? hashes[(int)indexes[i]]
                    : throw new TlogException($"stored hash {indexes[i]} is not in a tree of {hashes.Count} hashes");
            }

            return ValueTask.FromResult<IReadOnlyList<TlogHash>>(result);
        }
    }
}
