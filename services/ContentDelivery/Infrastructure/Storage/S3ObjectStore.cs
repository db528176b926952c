using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace LmsPlatform.ContentDelivery.Infrastructure.Storage;

/// <summary>
/// Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, s3rver in the tests), addressed path-style. Like the local
/// store, an object's entity tag is the SHA-256 of its bytes (kept as the object's <c>sha256</c> metadata), so both
/// stores give a file the same tag; the upload is hashed on its way through a temporary file, which also gives S3 the
/// length it wants before the first byte. Reads take a range. The bucket is the operator's to create.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private const string HashKey = "sha256";
    private readonly AmazonS3Client _client;
    private readonly string _bucket;

    public S3ObjectStore(ObjectStoreOptions options)
    {
        _bucket = options.Bucket is { Length: > 0 } bucket ? bucket : throw new InvalidOperationException("Content:Storage:Bucket is required for the s3 store.");
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            // Checksums only where S3 requires them: S3-compatible servers do not all take the trailing checksums the
            // SDK otherwise sends, and the store checks its own SHA-256.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { Length: > 0 } url) config.ServiceURL = url;
        if (options.Region is { Length: > 0 } region)
        {
            if (config.ServiceURL is null) config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
            else config.AuthenticationRegion = region;
        }
        _client = options.AccessKey is { Length: > 0 } access
            ? new AmazonS3Client(new BasicAWSCredentials(access, options.SecretKey ?? ""), config)
            : new AmazonS3Client(config); // the environment's credentials (an IAM role for service accounts, say)
    }

    public async Task<StoredObject> PutAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        ObjectKeys.Check(key);
        var temporary = Path.Combine(Path.GetTempPath(), $"lms-s3-{Guid.NewGuid():N}");
        try
        {
            string hash;
            long length;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, useAsync: true))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await HashingCopy.CopyAsync(content, file, sha, ct);
                (hash, length) = (Convert.ToHexStringLower(sha.GetHashAndReset()), file.Length);
            }
            var request = new PutObjectRequest { BucketName = _bucket, Key = key, FilePath = temporary, ContentType = contentType, UseChunkEncoding = false };
            request.Metadata[HashKey] = hash;
            await _client.PutObjectAsync(request, ct);
            return new StoredObject(key, length, contentType, $"\"{hash}\"", DateTimeOffset.UtcNow);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task<StoredObject?> HeadAsync(string key, CancellationToken ct)
    {
        try
        {
            var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = ObjectKeys.Check(key) }, ct);
            var hash = head.Metadata[HashKey];
            return new StoredObject(key, head.ContentLength, head.Headers.ContentType ?? "application/octet-stream",
                hash is { Length: > 0 } ? $"\"{hash}\"" : head.ETag, head.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.UnixEpoch);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream?> ReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKeys.Check(key) };
        if (offset > 0 || length is not null) request.ByteRange = new ByteRange(offset, length is { } count ? offset + count - 1 : long.MaxValue);
        try
        {
            var response = await _client.GetObjectAsync(request, ct);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return new MemoryStream([], writable: false);
        }
    }

    public async Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = ObjectKeys.Check(prefix.TrimEnd('/')) + (prefix.EndsWith('/') ? "/" : "") };
        ListObjectsV2Response page;
        do
        {
            page = await _client.ListObjectsV2Async(request, ct);
            if (page.S3Objects is { Count: > 0 } objects)
                await _client.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = _bucket, Objects = [.. objects.Select(o => new KeyVersion { Key = o.Key })],
                }, ct);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The object's bytes, releasing the response (and its connection) with the stream.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : LmsPlatform.ContentDelivery.Model.BoundedReadStream(response.ResponseStream, response.ContentLength)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) response.Dispose();
        }
    }
}
