import { DataService, getServerLocation, NotificationService } from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';
import { map, Observable } from 'rxjs';

const CREATE_LABEL_LINK = gql`
    mutation CreatePostexLabelLink($id: ID!) {
        createPostexLabelLink(fulfillmentId: $id) {
            __typename
            ... on PostexLabelLink {
                url
            }
            ... on ErrorResult {
                message
            }
        }
    }
`;

type LinkResult = { __typename: 'PostexLabelLink'; url: string } | { __typename: string; message: string };

/**
 * Downloads a fulfillment's label PDF. The plain path `/postex/label/<id>` needs a session the browser does not
 * send there (the admin session cookie is for `/admin-api` only), so this asks for a short-lived signed link.
 */
export function downloadPostexLabel(
    dataService: DataService,
    notificationService: NotificationService,
    fulfillmentId: string,
): Observable<void> {
    return dataService
        .mutate<{ createPostexLabelLink: LinkResult }, { id: string }>(CREATE_LABEL_LINK, {
            id: fulfillmentId,
        })
        .pipe(
            map(({ createPostexLabelLink: result }) => {
                if ('url' in result) {
                    save(`${getServerLocation()}${result.url}`, `postex-label-${fulfillmentId}.pdf`);
                } else {
                    notificationService.error(result.message);
                }
            }),
        );
}

/** Same origin: a download; another origin (download is ignored there): the PDF in a new tab. */
function save(url: string, filename: string): void {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    document.body.appendChild(a);
    a.click();
    a.remove();
}
