// The page component layer: what every page repeats, on top of the NL Design System (Utrecht) CSS. Pages import
// from here and write no `utrecht-*` class names of their own; attribute escaping (escape.ts) is done here, once.
export { Alert, EmptyState, type AlertKind } from './alert.js';
export { Breadcrumb, type Crumb } from './breadcrumb.js';
export { render, type Children } from './children.js';
export { SummaryList, SummaryRow, type SummaryItem } from './data-list.js';
export { attr } from './escape.js';
export {
  Choices,
  Csrf,
  ErrorSummary,
  FileField,
  Form,
  HiddenField,
  Select,
  TextArea,
  TextField,
  titleWithErrors,
  type FieldError,
  type Option,
} from './forms.js';
export { Page } from './page.js';
export { Pagination } from './pagination.js';
export { Cards, Section } from './section.js';
export { DataTable, type Column } from './table.js';
export {
  Button,
  ButtonGroup,
  ButtonLink,
  Heading,
  Link,
  List,
  Paragraph,
  ScriptButton,
  Text,
  VisuallyHidden,
} from './text.js';
export { Fieldset } from './fieldset.js';
export { Card, CardList } from './card.js';
export { DigidButton } from './digid-button.js';
export { Tabs, type Tab } from './tabs.js';
export { ProviderMessage, ProviderText, providerLang } from './provider-text.js';
