/** The frame of the plugin's settings pages and dashboard: the page title and Strapi's header layout. */
import type { ReactNode } from 'react';
import { Layouts, Page } from '@strapi/strapi/admin';

interface PluginPageProps {
  title: string;
  subtitle?: ReactNode;
  primaryAction?: ReactNode;
  secondaryAction?: ReactNode;
  navigationAction?: ReactNode;
  children: ReactNode;
}

export const PluginPage = ({
  title,
  subtitle,
  primaryAction,
  secondaryAction,
  navigationAction,
  children,
}: PluginPageProps) => (
  <Page.Main>
    <Page.Title>{title}</Page.Title>
    <Layouts.Header
      title={title}
      subtitle={subtitle}
      primaryAction={primaryAction}
      secondaryAction={secondaryAction}
      navigationAction={navigationAction}
    />
    <Layouts.Content>{children}</Layouts.Content>
  </Page.Main>
);
