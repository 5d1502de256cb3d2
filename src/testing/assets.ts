/** An 8x8 red PNG (the Admin API checks that an upload's content matches its type). */
export const PNG_8X8 = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVR4nGM4YKmNFTEMLQkAq6xJAUhOevcAAAAASUVORK5CYII=',
    'base64',
);

export interface UploadedAsset {
    id: string;
    source: string;
    preview: string;
}

/**
 * Uploads files through the Admin API's `createAssets` (GraphQL multipart request), as the Admin UI does.
 * Returns the raw HTTP status and JSON body, so tests can look at refusals too.
 */
export async function uploadAssets(
    adminApiUrl: string,
    authToken: string,
    files: Array<{ name: string; bytes: Buffer; type?: string }>,
): Promise<{ status: number; body: { data?: { createAssets: unknown[] }; errors?: unknown[] } }> {
    const form = new FormData();
    form.append(
        'operations',
        JSON.stringify({
            query: `mutation Upload($input: [CreateAssetInput!]!) {
                createAssets(input: $input) {
                    ... on Asset { id source preview }
                    ... on ErrorResult { errorCode message }
                }
            }`,
            variables: { input: files.map(() => ({ file: null })) },
        }),
    );
    form.append(
        'map',
        JSON.stringify(Object.fromEntries(files.map((_, i) => [i, [`variables.input.${i}.file`]]))),
    );
    files.forEach((f, i) =>
        form.append(String(i), new Blob([f.bytes], { type: f.type ?? 'image/png' }), f.name),
    );
    const res = await fetch(adminApiUrl, {
        method: 'POST',
        body: form,
        // Apollo's CSRF prevention lets a multipart request through only with a preflight-forcing header.
        headers: { authorization: `Bearer ${authToken}`, 'apollo-require-preflight': 'true' },
    });
    return { status: res.status, body: (await res.json()) as never };
}
