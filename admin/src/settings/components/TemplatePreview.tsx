/**
 * A notification as the server rendered it: subject, the HTML part in a sandboxed frame (`sandbox=""`: no scripts, an
 * opaque origin) and the plain-text part, right to left for a right-to-left language.
 */
import { Box, Flex, Typography } from '@strapi/design-system';
import { styled } from 'styled-components';
import type { RenderedMail } from '../../../../contracts/templates';
import { useT } from '../useT';
import { Section } from './fields';

const PreviewFrame = styled.iframe`
  display: block;
  width: 100%;
  min-height: 320px;
  border: 1px solid ${({ theme }) => theme.colors.neutral200};
  border-radius: ${({ theme }) => theme.borderRadius};
  background: #ffffff;
`;

const Pre = styled.pre`
  white-space: pre-wrap;
  word-break: break-word;
  margin: 0;
  font-family: inherit;
  font-size: 1.3rem;
`;

export const TemplatePreview = ({ preview }: { preview: RenderedMail }) => {
  const t = useT();
  const direction = preview.direction;
  return (
    <Section
      title={t('settings.templates.previewTitle', 'Preview')}
      description={t(
        'settings.templates.previewHint',
        'Rendered by the server with sample values, as the mail would go out.'
      )}
    >
      <Box dir={direction} lang={preview.language} data-testid="template-preview" data-direction={direction}>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Typography variant="omega" fontWeight="bold" data-testid="template-preview-subject">
            {preview.subject}
          </Typography>
          <PreviewFrame
            title={t('settings.templates.previewFrame', 'HTML preview of the notification')}
            sandbox=""
            srcDoc={preview.html}
            dir={direction}
          />
          <Box background="neutral100" padding={4} hasRadius>
            <Typography variant="sigma" textColor="neutral600" dir="ltr">
              {t('settings.templates.plainText', 'Plain-text part')}
            </Typography>
            <Pre dir={direction}>{preview.text}</Pre>
          </Box>
        </Flex>
      </Box>
    </Section>
  );
};
