/**
 * A mail's HTML in a sandboxed iframe: no scripts, an opaque origin, no forms, no navigation of the admin; links open
 * in a new tab. A CSP meta comes first in the document, remote images load only after the agent asks. See
 * utils/mailHtml.ts.
 */
import { useMemo } from 'react';
import { useIntl } from 'react-intl';
import { Button, Flex, Typography } from '@strapi/design-system';
import { styled } from 'styled-components';
import { Eye } from '@strapi/icons';
import { buildMailDocument, MAIL_FRAME_SANDBOX, type InlinePart } from '../utils/mailHtml';
import { getTranslation } from '../utils/getTranslation';

const Frame = styled.iframe`
  display: block;
  width: 100%;
  resize: vertical;
  border: 1px solid ${({ theme }) => theme.colors.neutral200};
  border-radius: ${({ theme }) => theme.borderRadius};
  /* Mail is written for a white page, whatever the admin's theme. */
  background: #ffffff;
`;

interface MailFrameProps {
  html: string;
  inlineParts: InlinePart[];
  title: string;
  showRemoteImages: boolean;
  onShowRemoteImages?: () => void;
}

export const MailFrame = ({
  html,
  inlineParts,
  title,
  showRemoteImages,
  onShowRemoteImages,
}: MailFrameProps) => {
  const { formatMessage } = useIntl();
  const mail = useMemo(
    () => buildMailDocument(html, { inlineParts, origin: window.location.origin, showRemoteImages }),
    [html, inlineParts, showRemoteImages]
  );
  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      {mail.remoteImages > 0 && !showRemoteImages && onShowRemoteImages ? (
        <Flex
          gap={2}
          justifyContent="space-between"
          background="neutral100"
          padding={2}
          paddingLeft={3}
          hasRadius
          wrap="wrap"
        >
          <Typography variant="pi" textColor="neutral700">
            {formatMessage(
              {
                id: getTranslation('message.remoteImages.blocked'),
                defaultMessage:
                  '{count, plural, one {# remote image was} other {# remote images were}} not loaded, to protect your privacy.',
              },
              { count: mail.remoteImages }
            )}
          </Typography>
          <Button variant="tertiary" size="S" startIcon={<Eye />} onClick={onShowRemoteImages}>
            {formatMessage({
              id: getTranslation('message.remoteImages.show'),
              defaultMessage: 'Show remote images',
            })}
          </Button>
        </Flex>
      ) : null}
      <Frame
        // Never allow-scripts or allow-same-origin (the frame's origin stays opaque). Popups only, so a link can open
        // in a new tab (every link there is http(s), mailto or tel, with target=_blank and rel=noopener); the tab
        // escapes the sandbox so the linked site works as it would anywhere else.
        sandbox={MAIL_FRAME_SANDBOX}
        referrerPolicy="no-referrer"
        srcDoc={mail.srcDoc}
        title={title}
        style={{ height: `${mail.heightHint}px` }}
      />
    </Flex>
  );
};
